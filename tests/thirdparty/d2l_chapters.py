"""The d2l book's chapter code (d2l 1.0.3, PyTorch edition), calling the unchanged ``d2l.torch`` library.

    python tests/thirdparty/runner.py {torch|ember} tests/thirdparty/d2l_chapters.py D2L_DIR CHAPTER

Each chapter below is the book's own sequence of calls (model class from the library, data module, Trainer)
on generated data (the shim's FashionMNIST), and prints ``RESULT name value`` lines for the test to compare.
"""
import sys

if __name__ == "__main__":   # (pytest's doctest collection imports this file: it must not import d2l then)
    sys.path.insert(0, sys.argv[1])
    import torch
    from d2l import torch as d2l


def linreg_scratch():
    # chapter_linear-regression/linear-regression-scratch
    model = d2l.LinearRegressionScratch(2, lr=0.03)
    data = d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2)
    d2l.Trainer(max_epochs=3).fit(model, data)
    with torch.no_grad():
        print("RESULT w_error", float((data.w - model.w.reshape(data.w.shape)).abs().max()))
        print("RESULT b_error", float((data.b - model.b).abs().max()))


def linreg_concise():
    # chapter_linear-regression/linear-regression-concise
    model = d2l.LinearRegression(lr=0.03)
    data = d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2)
    d2l.Trainer(max_epochs=3).fit(model, data)
    w, b = model.get_w_b()
    print("RESULT w_error", float((data.w - w.reshape(data.w.shape)).abs().max()))
    print("RESULT b_error", float((data.b - b).abs().max()))


def _accuracy(model, data):
    model.eval()
    with torch.no_grad():
        accs = [float(model.accuracy(model(*batch[:-1]), batch[-1])) for batch in data.val_dataloader()]
    return sum(accs) / len(accs)


def _classify(model, epochs, resize=(28, 28)):
    data = d2l.FashionMNIST(batch_size=64, resize=resize)
    data.num_workers = 0
    d2l.Trainer(max_epochs=epochs).fit(model, data)
    print("RESULT val_acc", _accuracy(model, data))


def softmax_concise():
    # chapter_linear-classification/softmax-regression-concise
    _classify(d2l.SoftmaxRegression(num_outputs=10, lr=0.1), 2)


def mlp_concise():
    # chapter_multilayer-perceptrons/mlp-implementation
    _classify(d2l.MLP(num_outputs=10, num_hiddens=64, lr=0.1), 2)


def lenet():
    # chapter_convolutional-neural-networks/lenet
    model = d2l.LeNet(lr=0.1)
    model.apply_init([next(iter(d2l.FashionMNIST(batch_size=64).get_dataloader(True)))[0]], d2l.init_cnn)
    _classify(model, 2)


def resnet_block_shapes():
    # chapter_convolutional-modern/resnet: the Residual block's shapes
    blk = d2l.Residual(3)
    X = torch.randn(4, 3, 6, 6)
    print("RESULT shape1", list(blk(X).shape))
    blk = d2l.Residual(6, use_1x1conv=True, strides=2)
    print("RESULT shape2", list(blk(X).shape))


def attention_shapes():
    # chapter_attention-mechanisms-and-transformers: additive and multi-head attention shapes
    queries, keys = torch.normal(0, 1, (2, 1, 20)), torch.normal(0, 1, (2, 10, 2))
    values = torch.normal(0, 1, (2, 10, 4))
    valid_lens = torch.tensor([2, 6])
    attention = d2l.AdditiveAttention(num_hiddens=8, dropout=0.1)
    attention.eval()
    print("RESULT additive", list(attention(queries, keys, values, valid_lens).shape))
    print("RESULT masked_softmax_rows", round(float(d2l.masked_softmax(torch.rand(2, 2, 4), torch.tensor([2, 3])).sum()), 4))
    mha = d2l.MultiHeadAttention(100, 5, 0.5)
    mha.eval()
    X, Y = torch.ones((2, 4, 100)), torch.ones((2, 6, 100))
    print("RESULT mha", list(mha(X, Y, Y, torch.tensor([3, 2])).shape))
    enc = d2l.TransformerEncoder(200, 24, 48, 8, 2, 0.5)
    enc.eval()
    print("RESULT transformer_encoder", list(enc(torch.ones((2, 100), dtype=torch.long), torch.tensor([3, 2])).shape))


if __name__ == "__main__":
    globals()[sys.argv[2]]()

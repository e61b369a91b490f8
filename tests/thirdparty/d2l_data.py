"""Generated stand-ins for the data d2l's chapters download (nothing is downloaded; the same bytes for both
frameworks, from fixed NumPy seeds).

- ``timemachine.txt``: 20,000 characters of words drawn from a 60-word bigram chain (learnable by a char LM).
- ``fra-eng.zip``: 700 English-French pairs; each English word has one French word, so translation is
  learnable; the chapter's own examples (``go .``, ``i lost .``) are in the vocabulary.
- ``wikitext-2-v1.zip``: 24 paragraphs of 3-5 sentences (BERT pretraining's next-sentence and masked-LM data).
- ``airfoil_self_noise.dat``: 1,503 rows of 5 features and a noisy linear target (chapter 12's regression).
- banana detection: 3x64x64 images (the book's are 256x256: its SSD chapter trains 20 epochs, 16x cheaper
  here), each with one yellow box, and its ``[0, x0, y0, x1, y1] / 64`` label.
"""
import io
import os
import zipfile

import numpy as np

WORDS = ("the time traveller said it has been a long way to go and we saw machine in his hand when you are "
         "there i lost he's calm i'm home of that this with from but not all one what").split()


def _time_machine() -> str:
    rng = np.random.default_rng(0)
    successors = rng.integers(0, len(WORDS), (len(WORDS), 3))
    word, out, n = 0, [], 0
    while n < 20000:
        out.append(WORDS[word])
        n += len(WORDS[word]) + 1
        word = successors[word, rng.integers(0, 3)] if rng.random() < 0.9 else rng.integers(0, len(WORDS))
    return " ".join(out)


def _fra_eng() -> str:
    rng = np.random.default_rng(1)
    eng = "go i lost he's calm i'm home we run see you the cat dog eat big small red it is was".split()
    fra = "va je perdu il calme suis chez nous courons voir vous le chat chien mange grand petit rouge il est etait".split()
    lines = ["go .\tva !", "i lost .\tj'ai perdu .", "he's calm .\til est calme .", "i'm home .\tje suis chez moi ."]
    while len(lines) < 700:
        idx = rng.integers(0, len(eng), rng.integers(1, 5))
        lines.append(" ".join(eng[i] for i in idx) + " .\t" + " ".join(fra[i] for i in idx) + " .")
    return "\n".join(lines) + "\n"


def _wiki() -> str:
    rng = np.random.default_rng(2)
    vocab = WORDS + [f"w{i}" for i in range(40)]
    paragraphs = []
    for _ in range(24):
        sentences = [" ".join(vocab[i] for i in rng.integers(0, len(vocab), rng.integers(5, 12)))
                     for _ in range(rng.integers(3, 6))]
        paragraphs.append(" " + " . ".join(sentences) + " . \n")
    return "".join(paragraphs)


def _airfoil() -> str:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(1503, 5))
    y = x @ np.array([0.5, -1.0, 0.3, 0.8, -0.2]) + 0.3 * rng.normal(size=1503)
    return "".join("\t".join(f"{v:.5f}" for v in row) + "\n" for row in np.column_stack([x, y]))


def _zip(members: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    return buf.getvalue()


FILES = {
    "timemachine.txt": lambda: _time_machine().encode(),
    "fra-eng.zip": lambda: _zip({"fra-eng/fra.txt": _fra_eng()}),
    "wikitext-2-v1.zip": lambda: _zip({"wikitext-2/wiki.train.tokens": _wiki()}),
    "airfoil_self_noise.dat": lambda: _airfoil().encode(),
}
HUB = {"airfoil": "airfoil_self_noise.dat", "wikitext-2": "wikitext-2-v1.zip",
       "banana-detection": "banana-detection.zip"}


def download(url, folder="../data", sha1_hash=None):
    """d2l.download's signature: write the generated file named by ``url`` into ``folder``, return its path."""
    name = HUB.get(url, url.split("/")[-1])
    if name not in FILES:
        raise FileNotFoundError(f"d2l_data: no generated stand-in for {url!r}")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(FILES[name]())
    return path


BANANA = 64   # side of the generated banana images


def banana_images(n: int, seed: int):
    rng = np.random.default_rng(seed)
    images, targets = [], []
    for _ in range(n):
        img = rng.integers(0, 120, (3, BANANA, BANANA), dtype=np.uint8)
        w, h = rng.integers(BANANA // 6, BANANA // 3, 2)
        x0, y0 = rng.integers(0, BANANA - w), rng.integers(0, BANANA - h)
        img[:, y0:y0 + h, x0:x0 + w] = np.array([230, 210, 40], np.uint8)[:, None, None]
        images.append(img)
        targets.append([0, x0, y0, x0 + w, y0 + h])
    return images, np.array(targets, np.float32)


def bananas_reader(torch, n_train: int = 32, n_val: int = 8):
    """d2l.read_data_bananas on generated images: (list of uint8 CHW tensors, labels (n, 1, 5) / side)."""
    def read_data_bananas(is_train=True):
        images, targets = banana_images(n_train if is_train else n_val, 4 if is_train else 5)
        return [torch.from_numpy(i) for i in images], torch.from_numpy(targets).unsqueeze(1) / BANANA
    return read_data_bananas


def write_images(folder: str) -> None:
    """The book's ``../img/catdog.jpg`` (561x728) and ``../img/banana.jpg`` (here 64x64), generated."""
    from PIL import Image

    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(6)
    Image.fromarray(rng.integers(0, 255, (561, 728, 3), dtype=np.uint8)).save(os.path.join(folder, "catdog.jpg"))
    Image.fromarray(banana_images(1, 7)[0][0].transpose(1, 2, 0).copy()).save(os.path.join(folder, "banana.jpg"))

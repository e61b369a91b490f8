"""ember.multiprocessing (torch.multiprocessing) against torch: names, spawn, and its two failure exceptions."""
import multiprocessing

import pytest
import torch.multiprocessing as tmp

import ember.multiprocessing as emp
from tests.compat import _mp_workers as w


def test_names_are_torchs():
    missing = [n for n in tmp.__all__ + ["spawn", "start_processes", "ProcessContext", "ProcessRaisedException",
                                         "ProcessExitedException"] if not hasattr(emp, n)]
    assert not missing
    assert emp.Queue is multiprocessing.Queue and emp.multiprocessing is multiprocessing
    assert emp.get_sharing_strategy() == tmp.get_sharing_strategy()
    assert emp.get_all_sharing_strategies() == tmp.get_all_sharing_strategies()


def test_spawn_runs_fn_with_each_rank(tmp_path):
    assert emp.spawn(w.write_rank, args=(str(tmp_path),), nprocs=1) is None     # a fresh interpreter
    assert emp.start_processes(w.write_rank, args=(str(tmp_path),), nprocs=2, start_method="fork") is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rank0", "rank1"]
    assert (tmp_path / "rank1").read_text() == "10"


def test_spawn_without_join_returns_context(tmp_path):
    for mp in (tmp, emp):
        ctx = mp.start_processes(w.write_rank, args=(str(tmp_path),), nprocs=2, join=False, start_method="fork")
        assert len(ctx.pids()) == 2
        while not ctx.join():
            pass


def test_a_raising_process_gives_process_raised_exception():
    for mp in (tmp, emp):
        with pytest.raises(mp.ProcessRaisedException, match="(?s)Process 1 terminated with the following "
                                                            "error:.*ValueError: rank one fails") as info:
            mp.start_processes(w.fail_on_one, nprocs=2, start_method="fork")
        assert info.value.error_index == 1


def test_an_exit_code_gives_process_exited_exception():
    for mp in (tmp, emp):
        with pytest.raises(mp.ProcessExitedException, match="terminated with exit code 3") as info:
            mp.start_processes(w.exit_three, nprocs=1, start_method="fork")
        assert info.value.exit_code == 3


def test_spawn_with_another_start_method_warns_as_torch(tmp_path):
    # torch's FutureWarning (torch's own spawn is not run here: it takes seconds to start a forked child)
    with pytest.warns(FutureWarning, match=r"only supports start_method=spawn \(got: fork\)"):
        emp.spawn(w.write_rank, args=(str(tmp_path),), nprocs=1, start_method="fork")


def test_bad_sharing_strategy_raises_as_torch():
    for mp in (tmp, emp):
        with pytest.raises(AssertionError):
            mp.set_sharing_strategy("shared_pigeons")


def test_share_memory_lets_forked_processes_write_as_torch():
    import torch

    import ember

    for lib, mp in ((torch, tmp), (ember, emp)):
        t = lib.zeros(4)
        assert not t.is_shared()
        assert t.share_memory_() is t and t.is_shared() and t[1:].is_shared()
        mp.start_processes(w.add_rank_plus_one, args=(t,), nprocs=2, start_method="fork")
        assert t.tolist() == [3.0] * 4        # both children's writes reached the parent's storage
        m = lib.nn.Linear(2, 2)
        before = m.weight.detach().clone()
        assert m.share_memory() is m and all(p.is_shared() for p in m.parameters())
        assert lib.equal(m.weight.detach(), before)


def test_torch_alias_resolves_multiprocessing():
    import ember.compat.alias_hook as alias

    alias.install(replace=True)
    try:
        import torch.multiprocessing as aliased
        assert aliased.spawn is emp.spawn and aliased.Queue is multiprocessing.Queue
    finally:
        alias.uninstall()

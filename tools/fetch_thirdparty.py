"""Rebuild ``thirdparty/``: the third-party PyTorch code that ``tests/thirdparty`` runs unchanged on ember.

Nothing fetched here is committed (``thirdparty/`` is in .gitignore); this script and its pins are all the
repository keeps. Each source is pinned to one commit or release:

    python tools/fetch_thirdparty.py                  # download the pins (needs the network: PyPI and GitHub)
    python tools/fetch_thirdparty.py --mirror pytorch/examples=/path/to/examples.git
                                                      # take a repository from a local git clone instead
    python tools/fetch_thirdparty.py --only d2l-ai/d2l-en   # one source only

Without ``thirdparty/`` the tests skip, saying so (a fresh clone, CI).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import urllib.request
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "thirdparty")

# repository -> (commit, files to keep)
REPOS = {
    "pytorch/examples": ("77f55b912142e11fcfdf5b530231fb9c52f181e8", [
        "regression/main.py",
        "mnist/main.py",
        "mnist_rnn/main.py",
        "mnist_forward_forward/main.py",
        "vae/main.py",
        "time_sequence_prediction/generate_sine_wave.py",
        "time_sequence_prediction/train.py",
        "word_language_model/data.py",
        "word_language_model/model.py",
        "word_language_model/main.py",
        "word_language_model/generate.py",
        "siamese_network/main.py",
    ]),
    # minGPT's 2022 rewrite (GPT.get_default_config, Trainer with max_iters), master as of its last commit
    "karpathy/minGPT": ("37baab71b9abea1b76ab957409a1cc2fbfba8a26", [
        "mingpt/__init__.py",
        "mingpt/model.py",
        "mingpt/trainer.py",
        "mingpt/utils.py",
    ]),
}
# repository -> {file: commit}: single files, each downloaded from raw.githubusercontent.com at its pinned commit
# (the repositories are too big for an archive). d2l-en's commit is the v1.0.3 tag, the release of the d2l wheel.
D2L_EN = "b2e2ae30898a9d0126a9699ae7e441de3e272715"
RAW_FILES = {
    "d2l-ai/d2l-en": {f"chapter_{path}.md": D2L_EN for path in [
        "recurrent-neural-networks/rnn-scratch",
        "recurrent-neural-networks/rnn-concise",
        "recurrent-modern/gru",
        "recurrent-modern/lstm",
        "attention-mechanisms-and-transformers/bahdanau-attention",
        "attention-mechanisms-and-transformers/transformer",
        "natural-language-processing-pretraining/bert",
        "natural-language-processing-pretraining/bert-pretraining",
        "optimization/sgd",
        "optimization/minibatch-sgd",
        "optimization/momentum",
        "optimization/adam",
        "computer-vision/anchor",
        "computer-vision/ssd",
    ]},
    # PyTorch's official tutorials (the repository is ~5 GB): each file at the commit of its stored version
    "pytorch/tutorials": {
        "beginner_source/basics/quickstart_tutorial.py": "afcd669d56554c2ef46f2da92edbfaf8c54043ec",
        "beginner_source/basics/tensorqs_tutorial.py": "7a5420a2093171a4560d25d4a19d95aa0ae6d8c7",
        "beginner_source/basics/autogradqs_tutorial.py": "db77dcf6e3637924f43852c014f2af9978b0f891",
        "beginner_source/basics/buildmodel_tutorial.py": "c53e7d4efc0e39e455c531d21ec7db28ba220214",
        "beginner_source/blitz/cifar10_tutorial.py": "c53e7d4efc0e39e455c531d21ec7db28ba220214",
        "intermediate_source/seq2seq_translation_tutorial.py": "803c1b1273a47bc53bb6cd5f63eecfb897bbc856",
    },
}
# PyPI wheels, downloaded with --no-deps and unpacked
WHEELS = {"d2l": "1.0.3"}


def _from_mirror(git_dir: str, commit: str, path: str) -> bytes:
    return subprocess.run(["git", "--git-dir", git_dir, "show", f"{commit}:{path}"], check=True,
                          capture_output=True).stdout


def _from_archive(repo: str, commit: str, paths: list) -> dict:
    url = f"https://codeload.github.com/{repo}/tar.gz/{commit}"
    with urllib.request.urlopen(url, timeout=120) as r:
        data = r.read()
    out = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            rel = member.name.split("/", 1)[-1]
            if rel in paths:
                out[rel] = tar.extractfile(member).read()
    return out


def fetch_repo(repo: str, mirror: str | None) -> None:
    commit, paths = REPOS[repo]
    files = {p: _from_mirror(mirror, commit, p) for p in paths} if mirror else _from_archive(repo, commit, paths)
    base = os.path.join(ROOT, repo.split("/")[1])
    for rel, content in files.items():
        dest = os.path.join(base, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "wb") as f:
            f.write(content)
    print(f"{repo}@{commit[:10]}: {len(files)} files -> {base}")


def fetch_files(repo: str, mirror: str | None) -> None:
    base = os.path.join(ROOT, repo.split("/")[1])
    for rel, commit in RAW_FILES[repo].items():
        if mirror:
            content = _from_mirror(mirror, commit, rel)
        else:
            url = f"https://raw.githubusercontent.com/{repo}/{commit}/{rel}"
            with urllib.request.urlopen(url, timeout=120) as r:
                content = r.read()
        dest = os.path.join(base, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "wb") as f:
            f.write(content)
    print(f"{repo}: {len(RAW_FILES[repo])} files -> {base}")


def fetch_wheel(name: str, version: str) -> None:
    dest = os.path.join(ROOT, "wheels")
    os.makedirs(dest, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", f"{name}=={version}", "-d", dest],
                   check=True)
    wheel = next(f for f in os.listdir(dest) if f.startswith(f"{name}-{version}-") and f.endswith(".whl"))
    with zipfile.ZipFile(os.path.join(dest, wheel)) as z:
        z.extractall(os.path.join(ROOT, name))
    print(f"{name}=={version} -> {os.path.join(ROOT, name)}")


def main(argv: list | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mirror", action="append", default=[], metavar="OWNER/NAME=GIT_DIR",
                   help="read a pinned repository from a local git directory")
    p.add_argument("--only", action="append", default=[], metavar="SOURCE",
                   help="fetch only these sources (OWNER/NAME of a repository, or a wheel's name)")
    args = p.parse_args(argv)
    mirrors = dict(m.split("=", 1) for m in args.mirror)
    wanted = set(args.only) or set(REPOS) | set(RAW_FILES) | set(WHEELS)
    for repo in REPOS.keys() & wanted:
        fetch_repo(repo, mirrors.get(repo))
    for repo in RAW_FILES.keys() & wanted:
        fetch_files(repo, mirrors.get(repo))
    for name in WHEELS.keys() & wanted:
        fetch_wheel(name, WHEELS[name])
    with open(os.path.join(ROOT, "PINS.json"), "w") as f:
        json.dump({"repos": {r: c for r, (c, _) in REPOS.items()}, "files": RAW_FILES, "wheels": WHEELS}, f,
                  indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

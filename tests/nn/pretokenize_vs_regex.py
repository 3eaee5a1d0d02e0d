#!/usr/bin/env python3
"""Differential test of the hand-written pre-tokenizers (src/nn/bpe_tokenizer.cpp) against the
same patterns run by Python's third-party `regex` module (which has \\p{L}, \\p{N}, lookahead and
scoped case folding), on random strings built from letters, digits, contractions, whitespace of
several kinds, newlines, punctuation, non-ASCII letters and digits, CJK, emoji, combining marks.

Usage: pretokenize_vs_regex.py PRETOKENIZE_TOOL [CASES]
\\s is written as \\p{White_Space} so both sides use the same definition; the characters used are
assigned in Unicode 14 (the tables' version) and unchanged since. Exits 1 on any difference.
"""
import random
import subprocess
import sys

import regex

WS, NWS = r"\p{White_Space}", r"\P{White_Space}"


def ws(pattern):
    return pattern.replace(r"\s", WS).replace(r"\S", NWS)


GPT2 = regex.compile(ws(r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+"
                        r"|\s+(?!\S)|\s+"))
LLAMA3_TEXT = ws(r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
                 r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
LLAMA3 = regex.compile(LLAMA3_TEXT)
QWEN2 = regex.compile(LLAMA3_TEXT.replace(r"\p{N}{1,3}", r"\p{N}"))
DIGIT = regex.compile(r"\p{N}")


def find_all(pattern, text):
    return [m.group(0) for m in pattern.finditer(text)]


def smollm(text):
    # Each \p{N} alone; the stretches between them by the GPT-2 pattern.
    pieces, stretch = [], ""
    for ch in text:
        if DIGIT.fullmatch(ch):
            pieces += find_all(GPT2, stretch)
            pieces.append(ch)
            stretch = ""
        else:
            stretch += ch
    return pieces + find_all(GPT2, stretch)


REFERENCE = {
    "gpt-2": lambda t: find_all(GPT2, t),
    "llama-bpe": lambda t: find_all(LLAMA3, t),
    "qwen2": lambda t: find_all(QWEN2, t),
    "smollm": smollm,
}

ALPHABET = list("abcXYZsStTdDmMlLrReEvV019") + [
    "'", "'", " ", " ", " ", "\t", "\n", "\r", "\r\n", ",", ".", "!", "(", ")", "-", '"',
    "\u00e9", "\u00f6", "\u00df", "\u65e5", "\u672c", "\u0663", "\u00b2", "\u216b", "\u00a0",
    "\u3000", "\u2003", "\U0001f999", "\u0301", "\x0b", "\x0c", "\u0085", "\u200b", "'s", "'LL",
    "123", "\u02b0"]


def main():
    tool = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    rng = random.Random(1)
    cases = []
    for _ in range(count):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 14)))
        cases.append((rng.choice(sorted(REFERENCE)), text))
    stdin = "".join("%s\t%s\n" % (pre, text.encode().hex()) for pre, text in cases)
    run = subprocess.run([tool], input=stdin.encode(), capture_output=True, check=True)
    lines = run.stdout.decode().split("\n")
    bad = 0
    for (pre, text), line in zip(cases, lines):
        mine = [bytes.fromhex(p).decode() for p in line.split(",")] if line else []
        want = REFERENCE[pre](text)
        if mine != want:
            bad += 1
            if bad <= 10:
                print("%s %r: pre-tokenizer %r, regex %r" % (pre, text, mine, want))
    print("%d cases, %d differ" % (len(cases), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

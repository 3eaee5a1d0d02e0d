#!/usr/bin/env python3
"""A SentencePiece-style BPE tokenizer (GGUF tokenizer model "llama"), trained and run in pure Python.

Encoding (the C++ tokenizer in src/nn must do exactly the same):
  1. Normalize: replace every ' ' with U+2581 '▁' and prepend one '▁'.
  2. Split into Unicode code points. A code point that is a vocabulary piece is one symbol; any
     other becomes one byte-fallback symbol `<0xXX>` per byte of its UTF-8 encoding.
  3. Repeatedly merge the adjacent pair of NORMAL symbols (token type 1; byte-fallback symbols never
     merge) whose concatenated text is a normal vocabulary piece with the HIGHEST score; among pairs
     with equal score the leftmost wins. Stop when no adjacent pair concatenates to a piece.
  4. Optionally prepend BOS.
Because no piece holds '▁' anywhere but at its start, no merge crosses a word boundary, so
encoding each '▁'-word on its own (and caching it) gives the same result as encoding the whole text.

Vocabulary layout: 0 `<unk>` (type 2), 1 `<s>` and 2 `</s>` (type 3), 3..258 `<0x00>`..`<0xFF>`
(type 6), then normal pieces (type 1): the training text's single characters (most frequent first,
score 0), then the merged pieces in the order they were learned, the k-th (from 0) with score
-(k+1), so a piece learned earlier scores higher.

Training: classic BPE over the word frequencies of the training text. Words are '▁' + the text
between spaces; at each step the most frequent adjacent symbol pair within words is merged (ties:
the lexicographically smallest pair), until the vocabulary has the requested size.

Usage:
  tokenizer.py train --input train.txt --vocab-size 4096 --out tokenizer.json
  tokenizer.py encode --tokenizer tokenizer.json --input train.txt --out train.bin
      (uint16 little-endian ids: every non-empty line is one paragraph: BOS ids EOS)
  tokenizer.py show --tokenizer tokenizer.json "Some text"
  tokenizer.py fixtures --tokenizer tokenizer.json --out tokenizer-fixtures.json
      (known encodings of tricky strings, for the C++ tokenizer's tests)
"""

import argparse
import collections
import heapq
import json
import struct
import sys

SPACE = "\u2581"
UNK_ID, BOS_ID, EOS_ID = 0, 1, 2
TYPE_NORMAL, TYPE_UNKNOWN, TYPE_CONTROL, TYPE_BYTE = 1, 2, 3, 6
N_BYTE_TOKENS = 256
FIRST_NORMAL_ID = 3 + N_BYTE_TOKENS


def normalize(text):
    return SPACE + text.replace(" ", SPACE)


def split_words(normalized):
    """Splits normalized text before every '▁' (the first character is always '▁')."""
    words, start = [], 0
    for i in range(1, len(normalized)):
        if normalized[i] == SPACE:
            words.append(normalized[start:i])
            start = i
    words.append(normalized[start:])
    return words


class Tokenizer:
    def __init__(self, tokens, scores, token_types):
        if not (len(tokens) == len(scores) == len(token_types)):
            raise ValueError(f"tokens ({len(tokens)}), scores ({len(scores)}) and token_types "
                             f"({len(token_types)}) differ in length.")
        self.tokens, self.scores, self.token_types = tokens, scores, token_types
        # Only normal pieces take part in merges.
        self.piece_to_id = {t: i for i, t in enumerate(tokens) if token_types[i] == TYPE_NORMAL}
        self.byte_ids = [tokens.index(f"<0x{b:02X}>") for b in range(256)]
        self._cache = {}

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        return cls(data["tokens"], data["scores"], data["token_types"])

    def to_json(self):
        return {"model": "llama", "tokens": self.tokens, "scores": self.scores,
                "token_types": self.token_types, "bos_id": BOS_ID, "eos_id": EOS_ID,
                "unk_id": UNK_ID, "add_bos": True}

    def _encode_word(self, word):
        ids = self._cache.get(word)
        if ids is not None:
            return ids
        # Symbols are [text, id]; text is None for byte-fallback symbols so they never merge.
        symbols = []
        for ch in word:
            i = self.piece_to_id.get(ch)
            if i is not None:
                symbols.append([ch, i])
            else:
                symbols.extend([None, self.byte_ids[b]] for b in ch.encode("utf-8"))
        while len(symbols) > 1:
            best_score, best_pos, best_id = None, -1, -1
            for pos in range(len(symbols) - 1):
                a, b = symbols[pos][0], symbols[pos + 1][0]
                if a is None or b is None:
                    continue
                i = self.piece_to_id.get(a + b)
                if i is not None and (best_score is None or self.scores[i] > best_score):
                    best_score, best_pos, best_id = self.scores[i], pos, i
            if best_pos < 0:
                break
            symbols[best_pos] = [symbols[best_pos][0] + symbols[best_pos + 1][0], best_id]
            del symbols[best_pos + 1]
        ids = [s[1] for s in symbols]
        self._cache[word] = ids
        return ids

    def encode(self, text, add_bos=True):
        ids = [BOS_ID] if add_bos else []
        if text:
            for word in split_words(normalize(text)):
                ids.extend(self._encode_word(word))
        return ids

    def decode(self, ids):
        """Text of the ids: control tokens are dropped, byte tokens joined into UTF-8 (invalid
        sequences replaced), '▁' turned into ' ' and the one leading space removed."""
        out, pending = [], bytearray()
        for i in ids:
            kind = self.token_types[i]
            if kind == TYPE_BYTE:
                pending.append(int(self.tokens[i][3:5], 16))
                continue
            if pending:
                out.append(pending.decode("utf-8", errors="replace"))
                pending = bytearray()
            if kind == TYPE_NORMAL:
                out.append(self.tokens[i].replace(SPACE, " "))
            elif kind == TYPE_UNKNOWN:
                out.append("\u2047")
        if pending:
            out.append(pending.decode("utf-8", errors="replace"))
        text = "".join(out)
        return text[1:] if text.startswith(" ") else text


def train(lines, vocab_size, log=print):
    """Learns the vocabulary from an iterable of text lines; returns a Tokenizer."""
    word_counts = collections.Counter()
    for line in lines:
        line = line.rstrip("\n")
        if line:
            word_counts.update(split_words(normalize(line)))
    char_counts = collections.Counter()
    for word, n in word_counts.items():
        for ch in word:
            char_counts[ch] += n
    chars = sorted(char_counts, key=lambda c: (-char_counts[c], c))

    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
    scores = [0.0] * len(tokens)
    types = [TYPE_UNKNOWN, TYPE_CONTROL, TYPE_CONTROL] + [TYPE_BYTE] * 256
    for ch in chars:
        tokens.append(ch)
        scores.append(0.0)
        types.append(TYPE_NORMAL)
    if len(tokens) >= vocab_size:
        raise ValueError(f"vocab_size ({vocab_size}) leaves no room for merges after "
                         f"{len(tokens)} special, byte and character pieces.")
    known = set(tokens)

    words = [list(w) for w in word_counts]
    counts = [word_counts[w] for w in word_counts]
    pair_count = collections.Counter()
    pair_words = collections.defaultdict(set)
    for wi, syms in enumerate(words):
        for a, b in zip(syms, syms[1:]):
            pair_count[(a, b)] += counts[wi]
            pair_words[(a, b)].add(wi)
    # Max-heap on (count, smallest pair first); stale entries are skipped when popped.
    heap = [(-n, p) for p, n in pair_count.items()]
    heapq.heapify(heap)

    n_merges = 0
    while len(tokens) < vocab_size and heap:
        neg, pair = heapq.heappop(heap)
        if pair_count.get(pair, 0) != -neg:
            continue
        if -neg < 2:
            break
        merged = pair[0] + pair[1]
        changed = set()
        for wi in pair_words.pop(pair, ()):
            syms, n = words[wi], counts[wi]
            i, new = 0, []
            while i < len(syms):
                if i + 1 < len(syms) and syms[i] == pair[0] and syms[i + 1] == pair[1]:
                    new.append(merged)
                    i += 2
                else:
                    new.append(syms[i])
                    i += 1
            for a, b in zip(syms, syms[1:]):
                pair_count[(a, b)] -= n
                changed.add((a, b))
                pair_words[(a, b)].discard(wi)
            for a, b in zip(new, new[1:]):
                pair_count[(a, b)] += n
                changed.add((a, b))
                pair_words[(a, b)].add(wi)
            words[wi] = new
        for p in changed:
            n = pair_count.get(p, 0)
            if n <= 0:
                pair_count.pop(p, None)
                pair_words.pop(p, None)
            elif p != pair:
                heapq.heappush(heap, (-n, p))
        pair_count.pop(pair, None)
        if merged not in known:
            known.add(merged)
            tokens.append(merged)
            scores.append(-float(n_merges + 1))
            types.append(TYPE_NORMAL)
            n_merges += 1
            if n_merges % 500 == 0:
                log(f"  {n_merges} merges, last {merged!r} ({-neg} times)")
    log(f"vocabulary: {len(tokens)} tokens ({len(chars)} characters, {n_merges} merges)")
    return Tokenizer(tokens, scores, types)


def encode_file(tok, path):
    """Ids of a text file, every non-empty line as BOS ids EOS."""
    ids = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                ids.extend(tok.encode(line, add_bos=True))
                ids.append(EOS_ID)
    return ids


FIXTURE_TEXTS = [
    "The jury said",
    "",
    " ",
    "  two  spaces ",
    "Hello, world! It's 1961; \"quoted\" (and -- dashes) $1,000.50 50%",
    "caf\u00e9 na\u00efve \u00fcber",
    "\u65e5\u672c\u8a9e \U0001F600",
    "<s> is text, not a special token </s>",
    "tab\tand\nnewline",
    "antidisestablishmentarianism",
    "\u2581already\u2581marked",
]


def fixtures(tok):
    cases = []
    for text in FIXTURE_TEXTS:
        ids = tok.encode(text, add_bos=True)
        cases.append({"text": text, "ids": ids, "pieces": [tok.tokens[i] for i in ids],
                      "decoded": tok.decode(ids)})
    return {"about": "Encodings by tools/train/tokenizer.py of models/brown's tokenizer, BOS "
                     "added; 'decoded' is decode(ids) (control tokens dropped, leading space "
                     "removed).", "cases": cases}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("train")
    p.add_argument("--input", required=True)
    p.add_argument("--vocab-size", type=int, default=4096)
    p.add_argument("--out", required=True)
    p = sub.add_parser("encode")
    p.add_argument("--tokenizer", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("fixtures")
    p.add_argument("--tokenizer", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("show")
    p.add_argument("--tokenizer", required=True)
    p.add_argument("text")
    args = parser.parse_args(argv)

    if args.cmd == "train":
        with open(args.input, encoding="utf-8") as f:
            tok = train(f, args.vocab_size)
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(tok.to_json(), f, ensure_ascii=False)
    elif args.cmd == "encode":
        tok = Tokenizer.load(args.tokenizer)
        ids = encode_file(tok, args.input)
        if len(tok.tokens) > 65536:
            sys.exit(f"Vocabulary ({len(tok.tokens)}) does not fit uint16 ids.")
        with open(args.out, "wb") as f:
            f.write(struct.pack(f"<{len(ids)}H", *ids))
        with open(args.input, encoding="utf-8") as f:
            n_chars = len(f.read())
        print(f"{args.input}: {len(ids)} tokens ({n_chars / len(ids):.2f} characters a token)")
    elif args.cmd == "fixtures":
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(fixtures(Tokenizer.load(args.tokenizer)), f, indent=1, ensure_ascii=False)
    else:
        tok = Tokenizer.load(args.tokenizer)
        ids = tok.encode(args.text)
        print(ids)
        print([tok.tokens[i] for i in ids])
        print(repr(tok.decode(ids)))


if __name__ == "__main__":
    main(sys.argv[1:])

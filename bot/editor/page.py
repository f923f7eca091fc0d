"""Reads a support FAQ page saved as text: navigation noise, question lines, answer paragraphs.

The pages are copied from the browser, so menus, tab names and teaser boxes surround the FAQ. A question is
a line ending in "?"; its answer is every block (lines without a blank line between them) up to the next
question. A block of short lines without digits or sentence punctuation is navigation: after an answered
question it ends the FAQ, unless a later question still has a real answer (a section header mid-page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MIN_QUESTION_WORDS = 3
NOISE_MAX_WORDS = 5
SUBSTANTIAL_ANSWER_WORDS = 12
BULLET = re.compile(r"^\s*(?:[•·\-*]|\d+\.)\s+")


@dataclass
class Entry:
    question: str
    line: int  # 1-based line of the question in the page
    paragraphs: list[str] = field(default_factory=list)

    @property
    def answer(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class Page:
    entries: list[Entry]
    text: str  # the whole page, for facts outside the FAQ (the German page has no questions at all)
    ignored_after: int | None = None  # line where the FAQ was judged to end


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Groups of consecutive non-empty lines, with the 1-based line number of their first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().replace("\u00a0", " ")
        if line:
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def is_question(line: str) -> bool:
    return line.rstrip().endswith("?") and len(line.split()) >= MIN_QUESTION_WORDS


def is_noise(lines: list[str]) -> bool:
    """Menu items and headings: short lines, no digits, no sentence punctuation."""
    return all(
        len(line.split()) <= NOISE_MAX_WORDS and not re.search(r"\d", line) and not re.search(r"[.:;!?]$", line)
        for line in lines
    )


def _words(entry: Entry) -> int:
    return sum(len(p.split()) for p in entry.paragraphs)


def parse(text: str) -> Page:
    """The question/answer entries of a page, navigation removed."""
    entries: list[Entry] = []
    current: Entry | None = None
    closed = False  # the current answer met navigation: later blocks belong to no answer
    end_line: int | None = None
    for start, lines in _blocks(text):
        block_lines: list[str] = []
        for offset, line in enumerate(lines):
            if is_question(line) and not BULLET.match(line):
                if block_lines and current is not None and not closed:
                    current.paragraphs.append("\n".join(block_lines))
                block_lines = []
                current = Entry(question=line.strip(), line=start + offset)
                entries.append(current)
                closed = False
            else:
                block_lines.append(line)
        if not block_lines or current is None:
            continue
        if is_noise(block_lines):
            if current.paragraphs and end_line is None:
                end_line = start
            closed = True
            continue
        if not closed:
            current.paragraphs.append("\n".join(block_lines))
    if end_line is not None:
        # Questions after the navigation that ended the FAQ count only with a substantial answer.
        kept = [e for e in entries if e.line < end_line or _words(e) >= SUBSTANTIAL_ANSWER_WORDS]
        if len(kept) == len(entries):
            end_line = None
        entries = kept
    return Page(entries=entries, text=text, ignored_after=end_line)

"""Renders bench/results/*.json as the README's results section (between the bench markers).

Run after `make bench`: python -m bench.readme
"""

from __future__ import annotations

import json
import re
from typing import Any

from bench.common import RESULTS
from bot import SUPPORTED_LANGUAGES
from bot.paths import ROOT

START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def _load(name: str) -> dict[str, Any]:
    return dict(json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8")))


def _has(name: str) -> bool:
    return (RESULTS / f"{name}.json").exists()


def render() -> str:
    """Every section whose results exist; the missing ones are named so nobody reads an old figure as new."""
    nlu = _load("nlu")
    missing = [n for n in ("language", "server", "conversations") if not _has(n)]
    rows = [f"Measured on {nlu['machine']}." if "machine" in nlu else "", ""]
    if missing:
        rows += [f"Not in this results set (run `make bench` on a quiet machine): {', '.join(missing)}.", ""]
    rows += language_rows() + intent_rows(nlu) + [*open_set_rows(), ""] + conversation_rows() + typed_rows()
    rows += handoff_rows()
    return "\n".join(rows + speed_rows())


def language_rows() -> list[str]:
    if not _has("language"):
        return []
    lang = _load("language")
    rows = ["**Language identification**, each message judged alone (`bench/language.py`, `tests/data/language/`):",
            "", "| set | method | " + " | ".join(SUPPORTED_LANGUAGES) + " | all |",
            "| --- | --- | " + " | ".join("---" for _ in SUPPORTED_LANGUAGES) + " | --- |"]
    for kind, label in (("short", "≤ 3 words"), ("long", "4+ words")):
        for method in ("langdetect", "langdetect, 4 languages", "this project"):
            x = lang[kind][method]
            cells = " | ".join(f"{x[code]:.1f}%" for code in SUPPORTED_LANGUAGES)
            rows.append(f"| {label} ({lang[kind]['messages']}) | {method} | {cells} | **{x['all']:.1f}%** |")
    return rows + ["", "Targets: ≥ 97% on ≤ 3 words, ≥ 99.5% on longer messages.", ""]


def intent_rows(nlu: dict[str, Any]) -> list[str]:
    rows = ["**Intents** on the held-out files training never sees (`bench/nlu.py`; FAQ topics counted as "
            "`faq/<topic>`; an unrelated message answered by the fallback counts as out of scope):", "",
            "| language | messages | intent accuracy | target ≥ 95% | development set (`tests/data/nlu_dev/`) "
            "| second development set (`tests/data/nlu_dev2/`) |",
            "| --- | --- | --- | --- | --- | --- |"]
    devs = [_load(name)["per_language"] if _has(name) else {} for name in ("nlu_dev", "nlu_dev2")]
    for code, x in nlu["per_language"].items():
        mark = "✓" if x["intent_accuracy"] >= 95 else "✗ (see below)"
        cells = [f"{d[code]['intent_accuracy']:.1f}% of {d[code]['messages']}" if code in d else "not measured"
                 for d in devs]
        rows.append(f"| {code} | {x['messages']} | {x['intent_accuracy']:.1f}% | {mark} | {' | '.join(cells)} |")
    unrelated, parse = nlu["unrelated"], nlu.get("parse_in_process")
    rows += ["", f"Everyday messages unrelated to the product (`tests/data/unrelated.yml`) answered as out of scope "
             f"or by the fallback: **{unrelated['out_of_scope_or_fallback']:.1f}%** of {unrelated['messages']} "
             "(target ≥ 90%)."]
    if parse:
        rows.append(f"Parse time in the benchmark's process: p50 {parse['p50_ms']} ms, p95 {parse['p95_ms']} ms "
                    f"over {parse['n']} messages (target for `/model/parse`: p95 ≤ 25 ms).")
    return rows + [""]


def handoff_rows() -> list[str]:
    if not _has("handoff"):
        return []
    h = _load("handoff")
    a, c, sim = h["agent_to_widget"], h["customer_to_console"], h["simultaneous"]
    return ["**Live handoff** (`bench/handoff.py`, real servers):", "",
            "| what | result |", "| --- | --- |",
            f"| an agent's message until the customer's widget shows it | p50 {a['p50_ms']} ms, p95 {a['p95_ms']} ms "
            f"({a['n']} messages) |",
            f"| a customer's message until the agent's console shows it | p50 {c['p50_ms']} ms, p95 {c['p95_ms']} ms "
            f"({c['n']} messages) |",
            f"| {sim['escalations']} simultaneous escalations, {len(sim['queues'])} queues, {sim['agents']} agents | "
            f"claimed exactly once: {'yes' if sim['claimed_exactly_once'] else 'no'}; "
            f"{sim['agent_messages_delivered']}/{sim['conversations']} agent and "
            f"{sim['customer_messages_delivered']}/{sim['conversations']} customer messages delivered |", ""]


def conversation_rows() -> list[str]:
    if not _has("conversations"):
        return []
    conv = _load("conversations")
    return ["Replies in the conversation's language over the 48 test conversations (`bench/conversations.py`): "
            f"**{conv['page language sent']['in_conversation_language_pct']}%** with the page language sent as "
            f"the widget does; {conv['text only']['in_conversation_language_pct']}% from the text alone.", ""]


def speed_rows() -> list[str]:
    rows = ["**Speed and size** (`bench/server.py`, `bench/requests.py`, `bench/training.py`):", "",
            "| what | result | target |", "| --- | --- | --- |"]
    srv = _load("server") if _has("server") else None
    if srv:
        parse, turn = srv["model_parse"], srv["rest_turn"]
        rows.append(f"| `/model/parse` over HTTP | p50 {parse['p50_ms']} ms, p95 {parse['p95_ms']} ms | p95 ≤ 25 ms |")
        rows.append(f"| REST turn (NLU, action server, reply) | p50 {turn['p50_ms']} ms, p95 {turn['p95_ms']} ms "
                    "| p95 ≤ 100 ms |")
    for name in ("sqlite", "postgresql"):
        path = RESULTS / f"requests-{name}.json"
        if path.exists():
            r = _load(f"requests-{name}")
            q, c = r["quote_lookup_turn"], r["concurrent_filing"]
            rows.append(f"| REST turn running a custom action with a database query ({name}) | p50 {q['p50_ms']} ms, "
                        f"p95 {q['p95_ms']} ms | p95 ≤ 150 ms |")
            rows.append(f"| 16 concurrent conversations filing requests ({name}) | {c['filed_per_second']} requests/s "
                        f"(each 3-8 turns); {c['stored']}/{c['requests_confirmed']} stored, {c['lost']} lost, "
                        f"{c['duplicated']} duplicated | none lost or duplicated |")
    if (RESULTS / "limits.json").exists():
        lim = _load("limits")
        rows.append(f"| 1 MB / 20 MB REST message (cut and answered / refused with 413) | "
                    f"p95 {lim['message_1_mb']['p95_ms']} ms / {lim['message_20_mb']['p95_ms']} ms; a normal turn "
                    f"meanwhile p95 {lim['normal_turn_during_huge_messages']['p95_ms']} ms (alone "
                    f"{lim['normal_turn_alone']['p95_ms']} ms) | ≤ 1 s each, nobody else waits |")
    if (RESULTS / "server_side_by_side.json").exists():
        side = _load("server_side_by_side")
        before, after = side["baseline"], side["current"]
        for name, r in (("baseline checkout", before), ("this checkout", after)):
            load, turn = r["faq_load"], r["rest_turn"]
            rows.append(f"| {name} ({r.get('commit') or r['code']}, {r['model']}): REST turn unloaded; "
                        f"FAQ turns, {load['concurrency']} concurrent conversations | p50 {turn['p50_ms']} ms, p95 "
                        f"{turn['p95_ms']} ms; {load['turns_per_s']} turns/s, p95 {load['p95_ms']} ms "
                        f"({load['errors']} errors); Rasa ready in {r['start_s']['rasa']} s | p95 ≤ 100 ms; "
                        "≥ 2x turns/s |")
        rounds = [r["faq_load"].get("rounds_turns_per_s") for r in (before, after)]
        detail = (f" (median of {len(rounds[0])} load rounds taken in turns, both servers up: before "
                  f"{' / '.join(map(str, rounds[0]))}, after {' / '.join(map(str, rounds[1]))} turns/s)"
                  if all(rounds) else "")
        rows.append(f"| throughput after / before (same run) | x{side['change']['faq_throughput_x']}{detail} | ≥ 2x |")
        if "reference" in side:
            ref = side["reference"]
            share = side["change"].get("turns_per_s_share_of_rasa_init", ["?", "?"])
            rows.append(f"| a plain `rasa init` assistant, same run (`bench/reference.py`) | REST turn p50 "
                        f"{ref['rest_turn']['p50_ms']} ms, p95 {ref['rest_turn']['p95_ms']} ms; "
                        f"{ref['faq_load']['turns_per_s']} turns/s; baseline / this checkout reach {share[0]} / "
                        f"{share[1]} of its throughput | |")
    if (RESULTS / "training.json").exists():
        seconds = _load("training")["cold_training_s"]
        rows.append(f"| full training, cold cache | {seconds / 60:.1f} min | ≤ 5 min |")
    if srv:
        rows.append(f"| server start until it answers | Rasa {srv['start_s']['rasa']} s, action server "
                    f"{srv['start_s']['action_server']} s | |")
        rows.append(f"| memory (RSS) | Rasa {srv['memory_rss_mb']['rasa']:.0f} MB (TensorFlow, model, four lemma "
                    f"tables), action server {srv['memory_rss_mb']['action_server']:.0f} MB | |")
    return rows


def typed_rows() -> list[str]:
    """Typed conversations (bench/typed_conversations.py), when they were run."""
    if not (RESULTS / "typed_conversations.json").exists():
        return []
    typed = _load("typed_conversations")
    rows = ["**Typed conversations** (`bench/typed_conversations.py`, `tests/data/typed_conversations/`: every "
            "answer typed, a question in the middle of a form, a correction and a typo each; offers accepted "
            "by typing; follow-ups):", "",
            "| language | conversations | completed (≥ 95%) | turns per completed task | slots holding a question "
            "(0) | replies with another country's facts (0) |", "| --- | --- | --- | --- | --- | --- |"]
    for code in (*SUPPORTED_LANGUAGES, "all"):
        x = typed[code]
        rows.append(f"| {code} | {x['conversations']} | {x['completed_pct']}% | {x['turns_per_completed_task']} | "
                    f"{x['slots_holding_a_question']} | {x['replies_with_wrong_country_facts']} |")
    return rows + [""]


def now_cell(row: dict[str, Any]) -> str:
    """The latest rate, and the rate without the messages a training example nearly copies, if there are any."""
    from bench.open_set import rate

    cell = f"**{rate(row):.1f}%**"
    if row.get("near_copies_of_training"):
        cell += f" ({row['rate_far_from_training_pct']:.1f}% without {row['near_copies_of_training']} near copies)"
    return cell


def open_set_rows() -> list[str]:
    """Open-set TEST split: the baseline (model before issue 7) next to the latest run, when there is one."""
    from bench.open_set import TARGETS, rate

    if not (RESULTS / "open_set_baseline.json").exists():
        return []
    before = _load("open_set_baseline")
    now = _load("open_set") if (RESULTS / "open_set.json").exists() else None
    rows = ["**Open set** (`bench/open_set.py`, TEST split of `tests/data/open_set/`, written independently of "
            "the training data): unrelated messages rejected (out of scope or fallback), and uncovered "
            "vendor-support questions rejected or routed to `faq/unanswered_contract_question`; "
            f"baseline = model {before['model']}:", "",
            f"| language | unrelated: baseline | now (≥ {TARGETS['unrelated']:.0f}%) | near domain: baseline "
            f"| now (≥ {TARGETS['near_domain']:.0f}%) |", "| --- | --- | --- | --- | --- |"]
    for code, x in before["per_language"].items():
        cells = []
        for kind in ("unrelated", "near_domain"):
            cells.append(f"{rate(x[kind]):.1f}% of {x[kind]['messages']}")
            cells.append(now_cell(now["per_language"][code][kind]) if now else "not run")
        rows.append(f"| {code} | " + " | ".join(cells) + " |")
    return rows


def main() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    section = f"{START}\n{render()}\n{END}"
    text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: section, text, flags=re.S)
    readme.write_text(text, encoding="utf-8")
    print(section)


if __name__ == "__main__":
    main()

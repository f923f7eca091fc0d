"""The test conversations over REST, with and without the page language in the metadata: the share of
replies in the conversation's language. Run: python -m bench.conversations
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import yaml

from bench.common import write_result
from bot.local_servers import Servers
from bot.paths import ROOT
from tests.reply_language import reply_locales


def main() -> None:
    results: dict[str, dict[str, float]] = {}
    misses: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        servers = Servers(tracker_store_url=f"sqlite:///{folder}/tracker.db", logs=Path(folder))
        servers.start()
        try:
            for mode in ("page language sent", "text only"):
                right = total = 0
                for path in sorted((ROOT / "tests" / "data" / "conversations").glob("*.yml")):
                    language = path.stem
                    for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
                        sender = f"bench-{uuid.uuid4().hex[:8]}"
                        for turn in conversation["turns"]:
                            metadata = {"language": language} if mode == "page language sent" else None
                            for reply in servers.say(sender, turn["text"], metadata):
                                total += 1
                                ok = any(code.startswith(language) for code in reply_locales(reply["text"]))
                                right += ok
                                if not ok:
                                    misses.append(f"{mode} / {language}: {turn['text']!r}")
                results[mode] = {"replies": total, "in_conversation_language_pct": round(100 * right / total, 2)}
        finally:
            servers.stop()
    path = write_result("conversations", {**results, "misses": misses})
    for mode, row in results.items():
        print(f"| {mode} | {row['replies']} replies | {row['in_conversation_language_pct']}% in the conversation's language |")
    print(*misses, sep="\n")
    print(f"written to {path}")


if __name__ == "__main__":
    main()

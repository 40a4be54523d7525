"""config.yml stays cache-friendly.

Rasa completes a partly given dict option (DIET's hidden_layers_sizes) while
training, so the cache key it stores differs from the one it looks up next
time and DIET is retrained on every `rasa train`. Spelling out every key keeps
retraining after an answer's text change to seconds (make bench measures it).
"""

from pathlib import Path

import yaml

CONFIG = yaml.safe_load((Path(__file__).resolve().parents[2] / "config.yml").read_text(encoding="utf-8"))
BOTH = {"hidden_layers_sizes"}


def test_diet_dict_options_name_text_and_label():
    incomplete = [
        (step["name"], option, sorted(step[option]))
        for step in CONFIG["pipeline"]
        for option in BOTH
        if isinstance(step.get(option), dict) and set(step[option]) != {"text", "label"}
    ]
    assert incomplete == []

"""Who may change one object, looked up by its model.

The rules live with the app that knows the facts they need (articles knows which photos a
publication uses: `articles/desk/transitions.py`) and are registered here at start-up, so
an app below it (media) can ask without importing it.
"""

from collections.abc import Callable

Rule = Callable[[object, object], bool]

_rules: dict[str, Rule] = {}


def register(label: str, rule: Rule) -> None:
    """`label` is the model's "app_label.ModelName"; `rule(user, obj)` says yes or no."""
    _rules[label] = rule


def may_change(user, obj) -> bool:
    """The registered rule for `obj`'s model; without one, the model permission alone."""
    if user is None:  # the operator (management commands): shell access is every right
        return True
    rule = _rules.get(obj._meta.label)
    if rule is not None:
        return rule(user, obj)
    return user.has_perm(f"{obj._meta.app_label}.change_{obj._meta.model_name}")

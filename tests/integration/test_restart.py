"""A restart keeps conversations: the SQLite tracker store is a file under var/."""

import sqlite3

from conftest import free_port, post_message, server_env, start_action_server, start_rasa, stop


def stored_intents(db, sender):
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT intent_name FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender,)
        ).fetchall()
    return [intent for (intent,) in rows]


def test_a_conversation_survives_a_restart(tmp_path):
    port, actions_port = free_port(), free_port()
    db = tmp_path / "conversations.db"
    env = server_env(actions_port, db)
    rasa = f"http://127.0.0.1:{port}"
    actions = start_action_server(actions_port, env, tmp_path / "actions.log")
    try:
        first = start_rasa(port, env, tmp_path / "first.log")
        try:
            assert post_message(rasa, "restart-test", "what is a core group")
        finally:
            stop(first)
        second = start_rasa(port, env, tmp_path / "second.log")
        try:
            reply = post_message(rasa, "restart-test", "what happens at a review conference")
            assert reply[0]["text"].startswith("A review conference checks")
        finally:
            stop(second)
    finally:
        stop(actions)
    assert stored_intents(db, "restart-test") == ["ask_core_group", "ask_review_conference"]

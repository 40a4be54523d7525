"""`make run-cluster`'s shape: Rasa replicas behind nginx, through the launcher,
on this machine's PostgreSQL and Redis. The widget's page and its chat server
both work through the load balancer."""

import asyncio
import json
import urllib.request
import uuid

import socketio
from conftest import post_message, two_replicas


def test_the_cluster_serves_rest_and_socketio_through_the_load_balancer(tmp_path):
    with two_replicas("cluster", tmp_path / "run.out") as running:
        lb, web = running["lb"], running["web"]
        base = f"http://127.0.0.1:{lb}"
        replicas = set()
        sender, token = uuid.uuid4().hex, None
        for text in ["when is the first core group", "what is a core group", "can i bring my mum"] * 2:
            # The first reply gives the conversation's token; either replica accepts it.
            body = {"sender": sender, "message": text} if token is None else {"token": token, "message": text}
            request = urllib.request.Request(
                f"{base}/webhooks/rest/webhook",
                method="POST",
                data=json.dumps(body).encode(),
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=30) as reply:
                replicas.add(reply.headers["X-Replica"])
                token = reply.headers["X-Conversation-Token"]
                assert reply.status == 200
        assert replicas == {f"127.0.0.1:{lb + 1}", f"127.0.0.1:{lb + 2}"}, replicas
        widget = urllib.request.urlopen(f"{base}/widget.js")
        assert widget.status == 200 and b"data-conference-companion" in widget.read()
        page = urllib.request.urlopen(f"http://127.0.0.1:{web}/").read().decode()
        assert f'data-server="http://127.0.0.1:{lb}"' in page

        async def converse():
            client = socketio.AsyncClient(reconnection=False)
            replies, confirmed = asyncio.Queue(), asyncio.Event()
            client.on("bot_uttered", lambda data: replies.put_nowait(data))
            client.on("session_confirm", lambda data: confirmed.set())
            await client.connect(
                base, socketio_path="socket.io", transports=["websocket"], headers={"Origin": f"http://localhost:{web}"}
            )
            try:
                session_id = uuid.uuid4().hex
                await client.emit("session_request", {"session_id": session_id})
                await asyncio.wait_for(confirmed.wait(), 10)
                await client.emit("user_uttered", {"message": "can i ask for a break", "session_id": session_id})
                return await asyncio.wait_for(replies.get(), 30)
            finally:
                await client.disconnect()

        first = asyncio.run(converse())
        assert first["text"].startswith("Yes. You can ask the chair for a short break")
        assert post_message(base, uuid.uuid4().hex, "what is a cp plan")[0]["text"].startswith(
            "A Child Protection Plan sets out"
        )

// Demo chat page: talks to Rasa's socketio channel. Bot text is always put
// on the page as text (textContent), never as HTML.
(function () {
  "use strict";
  var transcript = document.getElementById("transcript");
  var status = document.getElementById("status");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var key = "cc-demo-session";
  var sessionId = window.localStorage.getItem(key);

  var socket = window.io(window.CC_SERVER, { path: "/socket.io", transports: ["websocket"] });

  function add(kind, text) {
    var p = document.createElement("p");
    p.className = "msg " + kind;
    p.textContent = text;
    transcript.appendChild(p);
    transcript.scrollTop = transcript.scrollHeight;
  }

  function addButtons(buttons) {
    var box = document.createElement("div");
    box.className = "buttons";
    buttons.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b.title;
      button.addEventListener("click", function () { send(b.payload, b.title); });
      box.appendChild(button);
    });
    transcript.appendChild(box);
    transcript.scrollTop = transcript.scrollHeight;
  }

  function send(message, shown) {
    add("user", shown || message);
    status.textContent = "Conference Companion is typing…";
    socket.emit("user_uttered", { message: message, session_id: sessionId });
  }

  socket.on("connect", function () {
    status.textContent = "";
    socket.emit("session_request", { session_id: sessionId });
  });
  socket.on("session_confirm", function (id) {
    var fresh = !sessionId;
    sessionId = typeof id === "string" ? id : (id && id.session_id) || sessionId;
    window.localStorage.setItem(key, sessionId);
    if (fresh) { send("/greet", "Hello"); }
  });
  socket.on("disconnect", function () { status.textContent = "Reconnecting…"; });
  socket.on("bot_uttered", function (message) {
    status.textContent = "";
    if (message.text) { add("bot", message.text); }
    var buttons = message.quick_replies || message.buttons;
    if (buttons && buttons.length) { addButtons(buttons); }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    send(text);
  });
}());

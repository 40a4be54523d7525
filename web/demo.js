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

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  // The parent's dates, sent by the bot as a custom payload of type
  // "timeline": an ordered list, and the calendar file as a download.
  function addTimeline(data) {
    var box = el("section", "timeline");
    box.appendChild(el("h2", "timeline-title", data.title));
    var list = el("ol", "timeline-list");
    (data.milestones || []).forEach(function (m) {
      var item = el("li", m.passed ? "passed" : "");
      var when = m.date_in_words + (m.time ? ", " + m.time : "");
      if (m.approximate && m.date) { when = "About " + when; }
      if (m.passed) { when += " (passed)"; }
      item.appendChild(el("strong", "when", when));
      item.appendChild(el("span", "what", m.label));
      if (m.rule) { item.appendChild(el("span", "rule", m.rule)); }
      if (m.source) { item.appendChild(el("span", "source", "Source: " + m.source)); }
      list.appendChild(item);
    });
    box.appendChild(list);
    if (data.calendar && data.calendar.ics) {
      var download = el("a", "calendar-link", data.calendar.label);
      download.href = URL.createObjectURL(new Blob([data.calendar.ics], { type: "text/calendar" }));
      download.download = data.calendar.filename || "dates.ics";
      box.appendChild(download);
    }
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
    var custom = message.custom || message;
    if (custom.type === "timeline") { addTimeline(custom); return; }
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

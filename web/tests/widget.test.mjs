// The chat widget in a real browser (Debian's Chromium, driven by
// playwright-core: no browser download), against the real servers that
// `make run` starts. Screenshots go to results/screenshots/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SHOTS = join(ROOT, "results", "screenshots");
const EXIT = "https://www.bbc.co.uk/weather";
let launcher, browser, council, charity, output = "";

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => { const { port } = server.address(); server.close(() => resolve(port)); });
  });
}

before(async () => {
  const ports = { RASA_PORT: await freePort(), ACTIONS_PORT: await freePort(),
                  WEB_PORT: await freePort(), CHARITY_PORT: await freePort() };
  const env = { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
                TRACKER_DB: join(ROOT, "results", `browser-${process.pid}.db`), RASA_TELEMETRY_ENABLED: "false" };
  delete env.ACTION_SERVER_URL;
  launcher = spawn(join(ROOT, "scripts", "run"), [], { cwd: ROOT, env, detached: true });
  launcher.stdout.on("data", (d) => { output += d; });
  launcher.stderr.on("data", (d) => { output += d; });
  const deadline = Date.now() + 300000;
  while (!output.includes("is running")) {
    assert.ok(launcher.exitCode === null, `the launcher stopped:\n${output}`);
    assert.ok(Date.now() < deadline, `not ready in 300s:\n${output}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  council = `http://localhost:${ports.WEB_PORT}/`;
  charity = `http://localhost:${ports.CHARITY_PORT}/`;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
                                    args: ["--no-sandbox"] });
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  if (browser) { await browser.close(); }
  if (launcher && launcher.exitCode === null) {
    process.kill(-launcher.pid, "SIGTERM");
    await new Promise((r) => launcher.once("exit", r));
  }
});

// The demo pages send a strict Content-Security-Policy, which also stops
// Playwright's waitForFunction (it evaluates strings); only a "strict" page
// keeps it (and waits with locators instead).
async function newPage(width = 1280, strict = false) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: !strict });
  // "Leave this page" goes to BBC Weather; this machine has no internet.
  await context.route("https://www.bbc.co.uk/**", (route) => route.fulfill({
    contentType: "text/html", body: "<title>Weather</title><h1>Weather</h1>" }));
  return context.newPage();
}

// Reads inside the widget's shadow root.
const logText = (page) => page.evaluate(() =>
  document.querySelector("[data-conference-companion]").shadowRoot.querySelector(".log").textContent);
const focusedId = (page) => page.evaluate(() => {
  const root = document.querySelector("[data-conference-companion]").shadowRoot;
  return root.activeElement ? (root.activeElement.id || root.activeElement.className) : null;
});

async function waitForLog(page, text) {
  await page.waitForFunction((t) => document.querySelector("[data-conference-companion]")
    .shadowRoot.querySelector(".log").textContent.includes(t), text, { timeout: 30000 });
}

async function openChat(page, url = council, title = "Ask about your conference") {
  await page.goto(url);
  await page.getByRole("button", { name: title }).click();
  await waitForLog(page, "I'm Conference Companion");
  // Socket.io brings the greeting a paragraph at a time: wait for its last
  // one, or a late paragraph can arrive after the parent's first question.
  await waitForLog(page, "Type a question or choose a topic");
}

async function ask(page, question) {
  await page.getByLabel("Your question").fill(question);
  await page.getByLabel("Your question").press("Enter");
}

test("open, ask, get the answer, follow a suggested question", async () => {
  const page = await newPage();
  await openChat(page);
  assert.equal(await focusedId(page), "cc-input", "focus moves into the chat when it opens");
  await ask(page, "what is a core group");
  await waitForLog(page, "A core group is a small group");
  await page.getByRole("button", { name: "What is a Child Protection Plan?" }).last().click();
  await waitForLog(page, "A Child Protection Plan sets out what needs to change");
  await page.getByRole("log").screenshot({ path: join(SHOTS, "widget-log.png") });
  await page.close();
});

test("a keyboard-only conversation", async () => {
  const page = await newPage();
  await page.goto(council);
  await page.keyboard.press("Tab");
  assert.equal(await focusedId(page), "launcher");
  await page.keyboard.press("Enter");
  assert.equal(await focusedId(page), "cc-input");
  await waitForLog(page, "I'm Conference Companion");
  await page.keyboard.type("can i ask for a break");
  await page.keyboard.press("Enter");
  await waitForLog(page, "You can ask the chair for a short break");
  // Shift+Tab back from the input reaches the suggested questions, then Enter.
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Shift+Tab");
  const label = await page.evaluate(() =>
    document.querySelector("[data-conference-companion]").shadowRoot.activeElement.textContent);
  assert.ok(label.length > 0, "a suggested question has focus");
  await page.keyboard.press("Enter");
  await page.waitForFunction((l) => [...document.querySelector("[data-conference-companion]").shadowRoot
    .querySelectorAll(".msg.user")].some((m) => m.textContent.includes(l)), label);
  // Escape closes the chat and puts focus back on the launcher.
  await page.keyboard.press("Escape");
  await page.waitForTimeout(1100);
  assert.equal(await focusedId(page), "launcher");
  await page.close();
});

test("a reload keeps the conversation on screen", async () => {
  const page = await newPage();
  await openChat(page);
  await ask(page, "who will be at the meeting");
  await waitForLog(page, "These people are usually invited");
  await page.reload();
  await waitForLog(page, "These people are usually invited");
  assert.ok((await logText(page)).includes("who will be at the meeting"));
  await page.close();
});

test("the conversation's token is kept for this tab only, and the page's CSP holds", async () => {
  const page = await newPage(1280, true);
  const blocked = [];
  page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) { blocked.push(m.text()); } });
  const inLog = (text) => page.locator("[data-conference-companion] .log").getByText(text).first()
    .waitFor({ timeout: 30000 });
  await page.goto(council);
  await page.getByRole("button", { name: "Ask about your conference" }).click();
  await inLog("I'm Conference Companion");
  await ask(page, "what is a core group");
  await inLog("A core group is a small group");
  const kept = await page.evaluate(() => ({ token: sessionStorage.getItem("cc-token"),
                                            session: sessionStorage.getItem("cc-session"),
                                            local: Object.keys(localStorage) }));
  assert.ok(kept.token && kept.token.startsWith(kept.session + "."), "a token for this conversation");
  assert.deepEqual(kept.local, [], "nothing in localStorage");
  const csp = (await page.request.get(council)).headers()["content-security-policy"];
  assert.ok(csp && csp.includes("default-src 'none'") && !csp.includes("unsafe-inline"));
  // The widget's styles apply under that policy (a constructed style sheet).
  const colour = await page.evaluate(() => getComputedStyle(document.querySelector("[data-conference-companion]")
    .shadowRoot.querySelector(".send")).backgroundColor);
  assert.notEqual(colour, "rgba(0, 0, 0, 0)");
  assert.deepEqual(blocked, []);
  await page.close();
});

test("injected HTML is shown as text, never run", async () => {
  const page = await newPage();
  await openChat(page);
  const attack = '<img src=x onerror="window.__pwned = 1"><script>window.__pwned = 2</script>';
  await ask(page, attack);
  await waitForLog(page, attack);
  await page.waitForTimeout(1500);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  const tags = await page.evaluate(() => document.querySelector("[data-conference-companion]")
    .shadowRoot.querySelectorAll(".log img, .log script").length);
  assert.equal(tags, 0);
  await page.close();
});

test("Leave this page: Escape twice clears the chat and replaces the page", async () => {
  const page = await newPage();
  await openChat(page);
  await ask(page, "what is a cp plan");
  await waitForLog(page, "A Child Protection Plan sets out");
  await page.keyboard.press("Escape");
  await page.keyboard.press("Escape");
  await page.waitForURL(EXIT);
  assert.equal(await page.title(), "Weather");
  await page.goBack().catch(() => {});
  assert.notEqual(page.url(), council, "Back does not return to the chat page");
  // The button does the same, and the next visit starts afresh.
  const again = await newPage();
  await openChat(again);
  await ask(again, "can i have an interpreter");
  await waitForLog(again, "ask for a professional interpreter");
  const before = await again.evaluate(() => sessionStorage.getItem("cc-session"));
  await again.getByRole("button", { name: "Leave this page" }).click();
  await again.waitForURL(EXIT);
  await again.goto(council);
  const after = await again.evaluate(() => ({ session: sessionStorage.getItem("cc-session"),
                                              transcript: sessionStorage.getItem("cc-transcript") || "" }));
  assert.ok(before && after.session !== before, "a new conversation, not the old one");
  assert.ok(!after.transcript.includes("interpreter"), "nothing of the old conversation is kept");
  await page.close();
  await again.close();
});

test("no serious or critical accessibility problems (axe-core)", async () => {
  const page = await newPage();
  await openChat(page);
  await ask(page, "what happens at the meeting");
  await waitForLog(page, "This is what usually happens");
  // Evaluated, not added as a <script>: the page's CSP allows no inline script.
  await page.evaluate(readFileSync(require.resolve("axe-core/axe.min.js"), "utf8"));
  const results = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"] } }));
  const bad = results.violations.filter((v) => ["serious", "critical"].includes(v.impact));
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help}`), []);
  await page.close();
});

test("screenshots at 375 and 1280 pixels wide, text resized to 200%", async () => {
  for (const width of [375, 1280]) {
    const page = await newPage(width);
    await openChat(page);
    await ask(page, "can i bring someone with me");
    await waitForLog(page, "You can bring someone to support you");
    await page.screenshot({ path: join(SHOTS, `widget-${width}.png`) });
    const box = await page.evaluate(() => {
      const r = document.querySelector("[data-conference-companion]").shadowRoot
        .querySelector(".panel").getBoundingClientRect();
      return { left: r.left, right: r.right, width: window.innerWidth };
    });
    assert.ok(box.left >= 0 && box.right <= box.width, `the chat fits the screen at ${width}px`);
    await page.evaluate(() => { document.documentElement.style.fontSize = "200%"; });
    const input = await page.evaluate(() => {
      const r = document.querySelector("[data-conference-companion]").shadowRoot
        .querySelector("#cc-input").getBoundingClientRect();
      return r.width > 0 && r.right <= window.innerWidth;
    });
    assert.ok(input, "the question box is still usable at 200% text");
    await page.close();
  }
});

test("a charity's page on another origin embeds it with one tag, styles kept apart", async () => {
  const page = await newPage();
  await openChat(page, charity, "Questions about your conference?");
  await ask(page, "what is a core group");
  await waitForLog(page, "A core group is a small group");
  const colours = await page.evaluate(() => {
    const root = document.querySelector("[data-conference-companion]").shadowRoot;
    return { bar: getComputedStyle(root.querySelector(".bar")).backgroundColor,
             choice: getComputedStyle(root.querySelector(".choice")).backgroundColor,
             host: getComputedStyle(document.querySelector("main button")).backgroundColor };
  });
  assert.equal(colours.bar, "rgb(76, 44, 146)");          // data-colour="#4c2c92"
  assert.equal(colours.choice, "rgb(255, 255, 255)");     // not the page's hotpink buttons
  assert.equal(colours.host, "rgb(255, 105, 180)");       // and the page keeps its own
  assert.equal(await page.evaluate(() => typeof window.io), "undefined", "no globals leaked");
  await page.screenshot({ path: join(SHOTS, "widget-charity.png") });
  await page.close();
});

test("typed while the connection is down: sent when it is back", async () => {
  const page = await newPage();
  // The connection to the chat server goes through here, so the test can drop it.
  let down = false, current = null;
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (down) { ws.close(); return; }
    current = ws;
    ws.connectToServer();
  });
  await openChat(page);
  down = true;
  await current.close();
  await page.waitForFunction(() => document.querySelector("[data-conference-companion]").shadowRoot
    .querySelector(".status").textContent.includes("Reconnecting"), null, { timeout: 30000 });
  await ask(page, "what is a section 47 enquiry");
  assert.ok((await logText(page)).includes("what is a section 47 enquiry"), "shown at once");
  down = false;
  await waitForLog(page, "A Section 47 enquiry is when children's social care");
  await page.close();
});

test("the dates as a timeline, with a calendar file to download", async () => {
  const page = await newPage();
  await openChat(page);
  const day = new Date(Date.now() + 20 * 86400000);
  await ask(page, "what are all my dates");
  await waitForLog(page, "What is the date of your conference?");
  await ask(page, `${day.getDate()}/${day.getMonth() + 1}/${day.getFullYear()}`);
  await waitForLog(page, "is that right?");
  await page.getByRole("button", { name: "Yes, that's right" }).last().click();
  await page.getByRole("button", { name: "The first one" }).last().click();
  await page.getByRole("heading", { name: /Your dates, worked out from your first conference/ }).waitFor();
  const items = await page.evaluate(() => document.querySelector("[data-conference-companion]")
    .shadowRoot.querySelectorAll(".timeline li").length);
  assert.ok(items >= 8, `a milestone per line (${items})`);
  const [download] = await Promise.all([page.waitForEvent("download"),
    page.getByRole("button", { name: "Add to my calendar" }).click()]);
  assert.equal(download.suggestedFilename(), "child-protection-dates.ics");
  const ics = readFileSync(await download.path(), "utf8");
  assert.ok(ics.startsWith("BEGIN:VCALENDAR") && ics.includes("SUMMARY:First core group meeting"));
  await page.close();
});

test("Clear this conversation empties the chat and starts again", async () => {
  const page = await newPage();
  await openChat(page);
  await ask(page, "can i have an interpreter");
  await waitForLog(page, "ask for a professional interpreter");
  await page.getByRole("button", { name: "Clear this conversation" }).click();
  await waitForLog(page, "I'm Conference Companion");
  assert.ok(!(await logText(page)).includes("interpreter"));
  await page.close();
});

test("a message that gets no answer is sent once more, with the same message id", async () => {
  const page = await newPage();
  // The first question never reaches the server (as if its replica died);
  // the widget sends it again after 15 s and the answer comes. A late
  // paragraph of an earlier answer, arriving while it waits, names another
  // message (reply_to) and must not stop the resend.
  const sent = [];
  let dropped = false;
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((frame) => {
      const text = String(frame);
      if (text.includes("user_uttered") && text.includes("what is a core group")) {
        sent.push(JSON.parse(text.slice(text.indexOf("[")))[1]);
        if (!dropped) {
          dropped = true;
          ws.send('42["bot_uttered",{"text":"(a late paragraph)","reply_to":"an-earlier-message"}]');
          return;
        }
      }
      server.send(frame);
    });
  });
  await openChat(page);
  await ask(page, "what is a core group");
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(sent.length, 1);
  await waitForLog(page, "A core group is a small group");
  assert.equal(sent.length, 2, "sent once more, not more");
  assert.ok(sent[0].metadata.message_id, "the message carries an id");
  assert.equal(sent[1].metadata.message_id, sent[0].metadata.message_id);
  await page.close();
});

test("every phone number the bot gives is a tap-to-call link, and a text number an sms: link", async () => {
  const page = await newPage();
  await openChat(page);
  await ask(page, "i want to end my life");
  await waitForLog(page, "116 123");
  await waitForLog(page, "85258"); // the answer comes a paragraph at a time
  const links = () => page.evaluate(() => [...document.querySelector("[data-conference-companion]").shadowRoot
    .querySelectorAll(".log .msg.bot a")].map((a) => [a.textContent, a.getAttribute("href")]));
  const crisis = await links();
  assert.ok(crisis.some(([t, h]) => t === "116 123" && h === "tel:116123"), JSON.stringify(crisis));
  assert.ok(crisis.some(([t, h]) => t === "85258" && h === "sms:85258"), JSON.stringify(crisis));
  assert.ok(crisis.some(([t, h]) => t === "999" && h === "tel:999"), JSON.stringify(crisis));
  await ask(page, "can i talk to a person");
  await waitForLog(page, "01632");
  const council = (await links()).filter(([t]) => t.startsWith("01632"));
  assert.ok(council.length >= 1 && council.every(([t, h]) => h === "tel:" + t.replace(/ /g, "")),
            JSON.stringify(council));
  // What the parent types is never made into a link, and no link is built from anything but digits.
  await ask(page, 'call 0808 800 5000 <a href="javascript:alert(1)">x</a>');
  await waitForLog(page, 'call 0808 800 5000 <a href="javascript:alert(1)">x</a>');
  const typed = await page.evaluate(() => [...document.querySelector("[data-conference-companion]").shadowRoot
    .querySelectorAll(".log .msg.user a")].length);
  assert.equal(typed, 0);
  assert.ok((await links()).every(([, h]) => /^(tel|sms):\d+$/.test(h) || /^https?:\/\//.test(h)));
  await page.close();
});

// secbot web chat: a small client for the /webchat JSON API.
//
// Every string from the server is untrusted: findings carry cloud resource names and tags such
// as "@here <!channel> https://evil.example". The DOM is therefore built with createElement and
// textContent only; nothing is parsed as HTML, and only a card's own `links` (https URLs the
// server built, such as the finding in the Azure portal) become links.
"use strict";

(() => {
  const KEYS = {
    user: "secbot.webchat.user",
    threads: "secbot.webchat.threads",
    active: "secbot.webchat.active",
    token: "secbot.webchat.token",
    notices: "secbot.webchat.notices",
  };
  const NOTICE_POLL_MS = 10000;
  const MAX_THREADS = 30;
  const MAX_ENTRIES = 200;
  const REQUEST_TIMEOUT_MS = 60000;
  const SEVERITIES = { critical: "Critical", high: "High", medium: "Medium", low: "Low" };
  const STYLES = new Set(["default", "primary", "danger"]);
  const UNREADABLE = "secbot sent an answer this page could not read.";

  const els = {
    sidebar: byId("sidebar"),
    threads: byId("threads"),
    source: byId("source"),
    newThread: byId("new-thread"),
    toggle: byId("toggle-sidebar"),
    backdrop: byId("backdrop"),
    title: byId("thread-title"),
    messages: byId("messages"),
    composer: byId("composer"),
    prompt: byId("prompt"),
    send: byId("send"),
  };

  const state = {
    user: userId(),
    token: bearerToken(),
    config: null,
    configError: null,
    threads: loadThreads(),
    activeId: null,
    busy: false, // a prompt is waiting for its reply
    typing: null, // the "secbot is working" row while busy
    views: new Map(), // entry key -> its node in the active thread's pane
  };

  class ApiError extends Error {}

  // ---------------------------------------------------------------- small helpers

  function byId(id) {
    return document.getElementById(id);
  }

  function text(value) {
    return typeof value === "string" ? value : value == null ? "" : String(value);
  }

  function list(value) {
    return Array.isArray(value) ? value : [];
  }

  // el("p", { className, text, dataset, ...attributes }, ...children). Children that are
  // strings become text nodes; null/false children are skipped.
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "className") node.className = value;
      else if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  function button(label, className, type = "button") {
    return el("button", { type, className, "data-label": label, text: label });
  }

  function randomId(length = 16) {
    const bytes = crypto.getRandomValues(new Uint8Array(length));
    return Array.from(bytes, (b) => (b % 36).toString(36)).join("");
  }

  function shorten(value, max) {
    const flat = value.replace(/\s+/g, " ").trim();
    return flat.length > max ? flat.slice(0, max - 1).trimEnd() + "…" : flat;
  }

  function messageOf(err) {
    if (err instanceof ApiError) return err.message;
    console.error(err);
    return "Something went wrong on this page: " + text(err && err.message);
  }

  // Storage can be disabled or full (private windows, quotas); the chat still works without it.
  function storageGet(store, key) {
    try {
      return store.getItem(key);
    } catch {
      return null;
    }
  }

  function storageSet(store, key, value) {
    try {
      store.setItem(key, value);
      return true;
    } catch {
      return false;
    }
  }

  // ---------------------------------------------------------------- identity and storage

  function userId() {
    let id = storageGet(localStorage, KEYS.user);
    if (!id) {
      id = "web-" + randomId();
      storageSet(localStorage, KEYS.user, id);
    }
    return id;
  }

  function bearerToken() {
    const url = new URL(location.href);
    const fromUrl = url.searchParams.get("token");
    if (fromUrl) {
      storageSet(sessionStorage, KEYS.token, fromUrl);
      // Keep the token out of the address bar, the history and screenshots.
      url.searchParams.delete("token");
      history.replaceState(null, "", url.pathname + url.search + url.hash);
    }
    return fromUrl || storageGet(sessionStorage, KEYS.token) || "";
  }

  function loadThreads() {
    try {
      const parsed = JSON.parse(storageGet(localStorage, KEYS.threads) || "[]");
      return list(parsed).filter((t) => t && typeof t.id === "string" && Array.isArray(t.entries));
    } catch {
      return [];
    }
  }

  function saveThreads() {
    let kept = state.threads.filter((t) => t.entries.length || t.id === state.activeId);
    for (const t of kept) {
      if (t.entries.length > MAX_ENTRIES) t.entries.splice(0, t.entries.length - MAX_ENTRIES);
    }
    kept = kept.slice(0, MAX_THREADS);
    // When storage is full, give up the oldest threads rather than the newest messages.
    while (!storageSet(localStorage, KEYS.threads, JSON.stringify(kept)) && kept.length > 1) {
      kept = kept.slice(0, -1);
    }
    storageSet(localStorage, KEYS.active, state.activeId);
  }

  // ---------------------------------------------------------------- the API

  async function api(method, path, body) {
    const headers = { Accept: "application/json", "X-Webchat-User": state.user };
    if (state.token) headers.Authorization = "Bearer " + state.token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    try {
      const res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: abort.signal,
        cache: "no-store",
      });
      const data = await res.json().catch(() => null);
      if (!res.ok) {
        const sentence = data && typeof data.error === "string" && data.error.trim();
        throw new ApiError(sentence || `secbot answered with an error (HTTP ${res.status}).`);
      }
      if (!data || typeof data !== "object") throw new ApiError(UNREADABLE);
      return data;
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw new ApiError(
        abort.signal.aborted
          ? "secbot took too long to answer. Please try again."
          : "secbot could not be reached. Check your connection and try again.",
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async function loadConfig() {
    try {
      state.config = await api("GET", "/webchat/config");
      state.configError = null;
    } catch (err) {
      state.configError = messageOf(err);
    }
    const source = text(state.config && state.config.source);
    els.source.textContent = source ? "Data: " + source : "";
    const thread = activeThread();
    if (thread && !thread.entries.length) renderThread();
  }

  // ---------------------------------------------------------------- notices

  // What secbot posts on its own (a watch's new finding) arrives on a board this page polls: a
  // notice that starts a thread becomes a new thread in the list, a later one joins its thread.
  async function pollNotices() {
    const seen = Number(storageGet(localStorage, KEYS.notices)) || 0;
    let data;
    try {
      data = await api("GET", "/webchat/notices?after=" + seen);
    } catch {
      return; // the next poll tries again
    }
    const last = Number(data.last) || 0;
    if (last < seen) {
      // The server restarted and numbers its board afresh.
      storageSet(localStorage, KEYS.notices, "0");
      return pollNotices();
    }
    for (const notice of list(data.notices)) {
      if (!notice || typeof notice.thread !== "string" || !notice.reply) continue;
      let thread = state.threads.find((t) => t.id === notice.thread);
      if (!thread) {
        const title = text(notice.reply.card && notice.reply.card.title);
        thread = { id: notice.thread, title: shorten(title, 60), updated: Date.now(), entries: [] };
        state.threads.push(thread);
      }
      try {
        showReply(thread, notice.reply, null);
      } catch {
        // An unreadable notice is skipped; the others still show.
      }
      storageSet(localStorage, KEYS.notices, String(notice.seq));
    }
  }

  function watchNotices() {
    pollNotices();
    setInterval(pollNotices, NOTICE_POLL_MS);
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) pollNotices();
    });
  }

  // ---------------------------------------------------------------- threads

  function newThread() {
    return { id: "t-" + randomId(), title: "", updated: Date.now(), entries: [] };
  }

  function activeThread() {
    return state.threads.find((t) => t.id === state.activeId);
  }

  function openInitialThread() {
    const stored = storageGet(localStorage, KEYS.active);
    if (!state.threads.some((t) => t.id === stored)) {
      state.threads.unshift(newThread());
      state.activeId = state.threads[0].id;
    } else {
      state.activeId = stored;
    }
    renderSidebar();
    renderThread();
  }

  function startNewThread() {
    const current = activeThread();
    if (!current || current.entries.length) {
      const thread = newThread();
      state.threads.unshift(thread);
      switchTo(thread.id);
    }
    setSidebar(false);
    els.prompt.focus();
  }

  function switchTo(id) {
    state.activeId = id;
    saveThreads();
    renderSidebar();
    renderThread();
    setSidebar(false);
  }

  function addEntry(thread, entry) {
    entry.key = randomId(10);
    thread.entries.push(entry);
    thread.updated = Date.now();
    // Most recently used threads first.
    state.threads = [thread, ...state.threads.filter((t) => t !== thread)];
    saveThreads();
    renderSidebar();
    if (thread.id === state.activeId) {
      const welcome = byId("welcome");
      if (welcome) welcome.remove();
      const node = renderEntry(thread, entry);
      els.messages.insertBefore(node, state.typing && state.typing.isConnected ? state.typing : null);
      reveal(node);
    }
    return entry;
  }

  function addNote(thread, entry, note) {
    entry.notes = [...list(entry.notes), note];
    saveThreads();
    const view = thread.id === state.activeId && state.views.get(entry.key);
    if (view) {
      const node = noteNode(note);
      view.querySelector(".attachments").append(node);
      reveal(node);
    }
  }

  // Only what the page renders is kept, so long threads fit in localStorage.
  function compact(reply) {
    return { response_id: text(reply.response_id), skill: text(reply.skill), card: reply.card };
  }

  function directNotes(reply) {
    return list(reply.direct).map((d) => ({
      kind: "direct",
      to: text(d && d.to && (d.to.name || d.to.id)) || "someone",
      text: text(d && d.card && d.card.title),
    }));
  }

  function checkReply(reply) {
    if (!reply || typeof reply !== "object" || !reply.card || typeof reply.card !== "object") {
      throw new ApiError(UNREADABLE);
    }
  }

  // A reply to a prompt (from === null) or to a button on the entry `from`.
  function showReply(thread, reply, from) {
    checkReply(reply);
    if (reply.ephemeral) {
      const note = { kind: "ephemeral", text: text(reply.card.title) };
      if (from) {
        addNote(thread, from, note);
        for (const direct of directNotes(reply)) addNote(thread, from, direct);
      } else {
        addEntry(thread, { kind: "note", note });
      }
      return;
    }
    addEntry(thread, { kind: "reply", reply: compact(reply), notes: directNotes(reply) });
  }

  function replaceReply(thread, entry, reply) {
    checkReply(reply);
    entry.reply = compact(reply);
    entry.notes = [...list(entry.notes), ...directNotes(reply)];
    saveThreads();
    const old = thread.id === state.activeId && state.views.get(entry.key);
    if (old) {
      const node = renderEntry(thread, entry);
      old.replaceWith(node);
      reveal(node);
    }
  }

  // ---------------------------------------------------------------- sending and pressing

  async function sendPrompt(raw, fromBox = true) {
    const prompt = raw.trim();
    const thread = activeThread();
    if (!prompt || state.busy || !thread) return;
    if (!thread.title) {
      thread.title = shorten(prompt, 60);
      els.title.textContent = thread.title;
    }
    addEntry(thread, { kind: "user", text: prompt });
    if (fromBox) {
      els.prompt.value = "";
      autoGrow();
    }
    setBusy(true);
    try {
      const data = await api("POST", "/webchat/messages", { thread: thread.id, text: prompt });
      showReply(thread, data.reply, null);
    } catch (err) {
      addEntry(thread, { kind: "error", text: messageOf(err) });
    } finally {
      setBusy(false);
      els.prompt.focus();
    }
  }

  async function pressAction(thread, entry, action, btn) {
    if (btn.disabled) return;
    btn.disabled = true;
    btn.setAttribute("aria-busy", "true");
    try {
      const out = await api("POST", "/webchat/actions", {
        thread: thread.id,
        payload: action.payload === undefined ? null : action.payload,
      });
      const { outcome, ...rest } = out;
      if (outcome === "reply") showReply(thread, rest, entry);
      else if (outcome === "replace") replaceReply(thread, entry, rest);
      else if (outcome === "comment") openCommentForm(thread, entry, rest);
      else throw new ApiError(UNREADABLE);
    } catch (err) {
      addNote(thread, entry, { kind: "error", text: messageOf(err) });
    } finally {
      btn.disabled = false;
      btn.removeAttribute("aria-busy");
    }
  }

  function openCommentForm(thread, entry, spec) {
    const view = thread.id === state.activeId && state.views.get(entry.key);
    if (!view) return; // the person moved to another thread; the rating itself is stored
    const attachments = view.querySelector(".attachments");
    const open = attachments.querySelector(".comment-form");
    if (open) open.remove();

    const id = "comment-" + randomId(8);
    const box = el("textarea", { id, rows: 3, maxlength: 2000 });
    const error = el("p", { className: "form-error", hidden: true });
    const send = button("Send", "btn btn-primary", "submit");
    const cancel = button("Cancel", "btn");
    const title = text(spec.title);
    const form = el(
      "form",
      { className: "comment-form", "aria-label": title || "Comment on this answer" },
      title ? el("h3", { className: "comment-title", text: title }) : null,
      el("label", { for: id, text: text(spec.question) || "What was wrong or missing?" }),
      box,
      error,
      el("div", { className: "actions" }, send, cancel),
    );

    const showError = (message) => {
      error.textContent = message;
      error.hidden = false;
    };
    cancel.addEventListener("click", () => form.remove());
    box.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") form.remove();
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) form.requestSubmit();
    });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const comment = box.value.trim();
      if (!comment) {
        showError("Write a few words first, or press Cancel.");
        box.focus();
        return;
      }
      send.disabled = true;
      try {
        await api("POST", "/webchat/feedback", {
          thread: thread.id,
          response_id: text(spec.response_id),
          rating: text(spec.rating),
          comment,
        });
        form.remove();
        addNote(thread, entry, { kind: "saved", text: "Thanks — your comment was saved." });
      } catch (err) {
        showError(messageOf(err)); // keep the form, so the words typed aren't lost
        send.disabled = false;
      }
    });

    attachments.append(form);
    reveal(form);
    box.focus();
  }

  async function copyCode(code, status) {
    try {
      await navigator.clipboard.writeText(code.textContent);
      status.textContent = "Copied";
    } catch {
      // No clipboard access (plain-http origin, denied permission): select it for Ctrl+C.
      const range = document.createRange();
      range.selectNodeContents(code);
      const selection = getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      status.textContent = "Selected — press Ctrl+C to copy";
    }
    setTimeout(() => (status.textContent = ""), 2500);
  }

  // ---------------------------------------------------------------- rendering

  function renderSidebar() {
    const items = state.threads
      .filter((t) => t.entries.length || t.id === state.activeId)
      .map((t) => {
        const label = t.title || "New thread";
        const link = button(label, "thread-link");
        link.title = label;
        if (t.id === state.activeId) link.setAttribute("aria-current", "true");
        link.addEventListener("click", () => switchTo(t.id));
        return el("li", {}, link);
      });
    els.threads.replaceChildren(...items);
  }

  function renderThread() {
    const thread = activeThread();
    if (!thread) return;
    els.title.textContent = thread.title || "New thread";
    state.views.clear();
    els.messages.setAttribute("aria-busy", "true");
    els.messages.replaceChildren();
    if (!thread.entries.length) els.messages.append(renderWelcome());
    for (const entry of thread.entries) els.messages.append(renderEntry(thread, entry));
    if (state.typing) els.messages.append(state.typing);
    els.messages.setAttribute("aria-busy", "false");
    els.messages.scrollTop = els.messages.scrollHeight;
  }

  function renderWelcome() {
    const chips = list(state.config && state.config.suggestions)
      .map(text)
      .filter(Boolean)
      .map((suggestion) => {
        const chip = button(suggestion, "suggestion");
        chip.addEventListener("click", () => sendPrompt(suggestion, false));
        return chip;
      });
    return el(
      "div",
      { className: "welcome", id: "welcome" },
      el("h2", { text: "Ask secbot about your cloud security posture" }),
      el("p", {
        className: "muted",
        text: "Risks, attack paths, remediation scripts and owners, in plain words. Try one of these:",
      }),
      chips.length ? el("div", { className: "suggestions" }, ...chips) : null,
      state.configError ? el("div", { className: "bubble error", text: state.configError }) : null,
    );
  }

  function renderEntry(thread, entry) {
    let node;
    if (entry.kind === "user") {
      node = el(
        "div",
        { className: "turn user" },
        el("div", { className: "bubble" }, el("span", { className: "visually-hidden", text: "You: " }), text(entry.text)),
      );
    } else if (entry.kind === "reply") {
      const attachments = el("div", { className: "attachments" }, ...list(entry.notes).map(noteNode));
      node = el("div", { className: "turn bot" }, renderCard(thread, entry), attachments);
    } else if (entry.kind === "note") {
      node = el("div", { className: "turn bot" }, noteNode(entry.note || {}));
    } else {
      node = el("div", { className: "turn bot" }, el("div", { className: "bubble error", text: text(entry.text) }));
    }
    node.dataset.key = entry.key;
    state.views.set(entry.key, node);
    return node;
  }

  function noteNode(note) {
    if (note.kind === "ephemeral") {
      return el("p", { className: "note ephemeral" }, el("strong", { text: "Only you can see this: " }), text(note.text));
    }
    if (note.kind === "direct") {
      return el(
        "p",
        { className: "note direct" },
        el("strong", { text: `Sent privately to ${text(note.to)}: ` }),
        text(note.text),
      );
    }
    if (note.kind === "saved") return el("p", { className: "note saved", text: text(note.text) });
    return el("div", { className: "bubble error", text: text(note.text) });
  }

  function severityOf(value) {
    const key = text(value).toLowerCase();
    return Object.hasOwn(SEVERITIES, key) ? key : "";
  }

  function severityBadge(sev) {
    return el("span", { className: `sev-badge sev-${sev}`, text: SEVERITIES[sev] });
  }

  function renderCard(thread, entry) {
    const reply = entry.reply || {};
    const card = reply.card || {};
    const sev = severityOf(card.severity);
    const press = (action, btn) => pressAction(thread, entry, action, btn);
    const notices = list(card.notices).map((n) => el("li", { text: text(n) }));
    return el(
      "article",
      {
        className: sev ? `card sev-${sev}` : "card",
        "data-response-id": text(reply.response_id),
        "data-skill": text(reply.skill),
      },
      el(
        "header",
        { className: "card-head" },
        sev ? severityBadge(sev) : null,
        el("h2", { className: "card-title", text: text(card.title) || "secbot" }),
        ...list(card.badges).map((b) => el("span", { className: "badge", text: text(b) })),
      ),
      card.summary ? el("p", { className: "card-summary", text: text(card.summary) }) : null,
      chartNode(card.chart),
      factsNode(card.facts),
      ...list(card.sections).map(sectionNode),
      list(card.items).length
        ? el("ul", { className: "items" }, ...list(card.items).map((item) => itemNode(item || {}, press)))
        : null,
      ...list(card.code).map((block) => codeNode(block || {})),
      actionsNode(card.actions, press),
      linksNode(card.links),
      notices.length ? el("ul", { className: "notices" }, ...notices) : null,
      card.footer ? footerNode(card.footer, press) : null,
    );
  }

  // A chart the server drew: only a base64 PNG becomes an image.
  function chartNode(chart) {
    const png = chart && typeof chart.png === "string" && /^[A-Za-z0-9+/]+=*$/.test(chart.png) ? chart.png : null;
    if (!png) return null;
    return el("img", {
      className: "card-chart",
      src: "data:image/png;base64," + png,
      alt: text(chart.alt),
      title: text(chart.alt),
    });
  }

  function factsNode(facts) {
    const rows = list(facts).map((f) =>
      el("div", { className: "fact" }, el("dt", { text: text(f && f.label) }), el("dd", { text: text(f && f.value) })),
    );
    return rows.length ? el("dl", { className: "facts" }, ...rows) : null;
  }

  function sectionNode(section) {
    const s = section || {};
    return el(
      "section",
      { className: "card-section" },
      el("h3", { text: text(s.heading) }),
      el(s.numbered ? "ol" : "ul", {}, ...list(s.lines).map((line) => el("li", { text: text(line) }))),
    );
  }

  function itemNode(item, press) {
    const sev = severityOf(item.severity);
    return el(
      "li",
      { className: sev ? `item sev-${sev}` : "item" },
      el(
        "div",
        { className: "item-head" },
        sev ? severityBadge(sev) : null,
        el("span", { className: "item-title", text: text(item.title) }),
      ),
      item.subtitle ? el("p", { className: "item-subtitle", text: text(item.subtitle) }) : null,
      factsNode(item.facts),
      actionsNode(item.actions, press),
    );
  }

  function codeNode(block) {
    const code = el("code", { text: text(block.code) });
    const status = el("span", { className: "copy-status", role: "status" });
    const copy = button("Copy", "btn btn-small");
    copy.addEventListener("click", () => copyCode(code, status));
    const language = text(block.language);
    return el(
      "figure",
      { className: "code-block" },
      el(
        "figcaption",
        { className: "code-head" },
        el("span", { className: "code-title", text: text(block.title) }),
        language ? el("span", { className: "code-lang", text: language }) : null,
        status,
        copy,
      ),
      el("pre", { className: "code", "data-language": language, tabindex: 0 }, code),
    );
  }

  function actionsNode(actions, press) {
    const buttons = list(actions)
      .filter((a) => a && typeof a === "object")
      .map((action) => {
        const style = STYLES.has(action.style) ? action.style : "default";
        const btn = button(text(action.label) || "Open", `btn btn-${style}`);
        btn.addEventListener("click", () => press(action, btn));
        return btn;
      });
    return buttons.length ? el("div", { className: "actions" }, ...buttons) : null;
  }

  function linksNode(links) {
    const anchors = list(links)
      .filter((l) => l && typeof l.url === "string" && httpsUrl(l.url))
      .map((l) =>
        el("a", {
          className: "btn btn-default btn-link",
          href: httpsUrl(l.url),
          target: "_blank",
          rel: "noopener noreferrer",
          text: text(l.label) || "Open",
        }),
      );
    return anchors.length ? el("div", { className: "actions" }, ...anchors) : null;
  }

  function httpsUrl(value) {
    try {
      const url = new URL(value);
      return url.protocol === "https:" ? url.href : null;
    } catch {
      return null;
    }
  }

  function footerNode(footer, press) {
    return el(
      "footer",
      { className: "card-footer" },
      el("span", { className: "footer-question", text: text(footer.question) }),
      actionsNode(footer.actions, press),
    );
  }

  // ---------------------------------------------------------------- page chrome

  // Shows a new node: a tall card from its top, so its title isn't scrolled past.
  function reveal(node) {
    const tall = node.offsetHeight > els.messages.clientHeight;
    node.scrollIntoView({ block: tall ? "start" : "nearest" });
  }

  function setBusy(on) {
    state.busy = on;
    els.prompt.disabled = on;
    els.send.disabled = on;
    els.send.classList.toggle("busy", on);
    els.send.setAttribute("aria-busy", String(on));
    if (on) {
      state.typing = el("div", { className: "turn bot typing" }, el("p", { className: "note", text: "secbot is working on it…" }));
      els.messages.append(state.typing);
      reveal(state.typing);
    } else if (state.typing) {
      state.typing.remove();
      state.typing = null;
    }
  }

  function setSidebar(open) {
    els.sidebar.classList.toggle("open", open);
    els.backdrop.hidden = !open;
    els.toggle.setAttribute("aria-expanded", String(open));
  }

  function autoGrow() {
    els.prompt.style.height = "auto";
    els.prompt.style.height = Math.min(els.prompt.scrollHeight, 200) + "px";
  }

  function bindEvents() {
    els.composer.addEventListener("submit", (ev) => {
      ev.preventDefault();
      sendPrompt(els.prompt.value);
    });
    els.prompt.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        sendPrompt(els.prompt.value);
      }
    });
    els.prompt.addEventListener("input", autoGrow);
    els.newThread.addEventListener("click", startNewThread);
    els.toggle.addEventListener("click", () => setSidebar(!els.sidebar.classList.contains("open")));
    els.backdrop.addEventListener("click", () => setSidebar(false));
    document.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape" && els.sidebar.classList.contains("open")) setSidebar(false);
    });
    // Another tab changed the threads: take its list, but keep this tab's copy of the open thread.
    window.addEventListener("storage", (ev) => {
      if (ev.key !== KEYS.threads) return;
      const current = activeThread();
      state.threads = loadThreads().map((t) => (current && t.id === current.id ? current : t));
      if (current && !state.threads.includes(current)) state.threads.unshift(current);
      renderSidebar();
    });
  }

  bindEvents();
  openInitialThread();
  loadConfig();
  watchNotices();
  els.prompt.focus();
})();

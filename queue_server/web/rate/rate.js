// The window's evaluator tablet (好差评评价器). Shows the five choices when the clerk at this
// window finishes a ticket (websocket `ticket.finished`), asks for a reason for a bad review,
// posts the rating with the tablet's device token, and returns to idle after `idle_seconds`.
// It shows the ticket number and category only: never anything personal.
"use strict";

(() => {
  const windowNo = Number(location.pathname.split("/").filter(Boolean).pop());
  const token = readToken();
  const body = document.body;
  const element = (id) => document.getElementById(id);

  let options = null;
  let pending = null; // {ticket_id, number, category_name}
  let level = null;
  let chosen = new Set();
  let idleTimer = null;
  let lastSeq = null;
  let retryDelay = 500;

  function readToken() {
    // Keep the token out of the address bar (and out of any Referer) once read.
    const params = new URLSearchParams(location.search);
    const fromUrl = params.get("token");
    if (fromUrl) {
      sessionStorage.setItem("yimen-evaluator-token", fromUrl);
      params.delete("token");
      const rest = params.toString();
      history.replaceState(null, "", location.pathname + (rest ? "?" + rest : ""));
    }
    return fromUrl || sessionStorage.getItem("yimen-evaluator-token") || "";
  }

  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function show(screen) {
    body.dataset.screen = screen;
    clearTimeout(idleTimer);
    if (screen === "choices" || screen === "reasons") {
      idleTimer = setTimeout(goIdle, (options ? options.idle_seconds : 60) * 1000);
    } else if (screen === "thanks") {
      idleTimer = setTimeout(goIdle, 4000);
    }
  }

  function goIdle() {
    pending = null;
    level = null;
    chosen = new Set();
    hideError();
    show("idle");
  }

  function showError(message) {
    const box = element("error");
    box.textContent = message;
    box.hidden = false;
  }

  function hideError() {
    element("error").hidden = true;
  }

  async function api(method, path, payload) {
    const headers = { Authorization: "Bearer " + token };
    const init = { method, headers };
    if (payload !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["Idempotency-Key"] = newKey();
      init.body = JSON.stringify(payload);
    }
    const response = await fetch(path, init);
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(data.detail || "操作失败（" + response.status + "）");
    }
    return data;
  }

  function ask(ticket) {
    pending = ticket;
    level = null;
    chosen = new Set();
    hideError();
    element("ticket-number").textContent = ticket.number + "号";
    element("ticket-category").textContent = ticket.category_name || "";
    show("choices");
  }

  function buildChoices() {
    const levels = element("levels");
    levels.replaceChildren();
    for (const item of options.levels) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "level";
      button.dataset.level = String(item.level);
      button.textContent = item.label;
      button.addEventListener("click", () => choose(item));
      levels.append(button);
    }
    const reasons = element("reasons");
    reasons.replaceChildren();
    for (const reason of options.reasons) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "reason";
      button.textContent = reason;
      button.setAttribute("aria-pressed", "false");
      button.addEventListener("click", () => toggleReason(button, reason));
      reasons.append(button);
    }
  }

  function choose(item) {
    level = item.level;
    if (item.needs_reason) {
      chosen = new Set();
      for (const button of element("reasons").children) {
        button.setAttribute("aria-pressed", "false");
      }
      element("comment").value = "";
      element("submit").disabled = true;
      show("reasons");
    } else {
      submit();
    }
  }

  function toggleReason(button, reason) {
    if (chosen.has(reason)) {
      chosen.delete(reason);
    } else {
      chosen.add(reason);
    }
    button.setAttribute("aria-pressed", String(chosen.has(reason)));
    element("submit").disabled = chosen.size === 0;
    show("reasons"); // a touch restarts the idle timer
  }

  async function submit() {
    if (!pending || level === null) {
      return;
    }
    const comment = element("comment").value.trim();
    const payload = {
      ticket_id: pending.ticket_id,
      level,
      reasons: options.reasons.filter((r) => chosen.has(r)),
    };
    if (comment && body.dataset.screen === "reasons") {
      payload.comment = comment;
    }
    try {
      await api("POST", `/api/windows/${windowNo}/evaluation`, payload);
      pending = null;
      show("thanks");
    } catch (error) {
      showError(error.message);
    }
  }

  function onMessage(message) {
    if (typeof message.seq === "number" && message.type !== "heartbeat") {
      if (lastSeq !== null && message.type !== "snapshot" && message.seq <= lastSeq) {
        return;
      }
      lastSeq = message.seq;
    }
    if (message.type === "snapshot") {
      refreshPending(); // a finish may have been missed while the link was down
    } else if (message.type === "ticket.finished") {
      const ticket = message.ticket || {};
      const at = (message.window && message.window.number) || ticket.window_no;
      if (at === windowNo) {
        ask({ ticket_id: ticket.id, number: ticket.number, category_name: ticket.category_name });
      }
    } else if (message.type === "evaluation.submitted") {
      const facts = message.payload || {};
      if (pending && facts.ticket_id === pending.ticket_id && body.dataset.screen !== "thanks") {
        goIdle();
      }
    }
  }

  async function refreshPending() {
    if (body.dataset.screen !== "idle") {
      return;
    }
    try {
      const state = await api("GET", `/api/windows/${windowNo}/evaluation`);
      if (state.pending && body.dataset.screen === "idle") {
        ask(state.pending);
      }
    } catch (error) {
      console.warn("could not refresh the pending rating", error);
    }
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const query = new URLSearchParams({ token });
    if (lastSeq !== null) {
      query.set("since", String(lastSeq));
    }
    const socket = new WebSocket(`${scheme}//${location.host}/ws?${query}`);
    const link = element("link");
    socket.addEventListener("open", () => {
      retryDelay = 500;
      link.dataset.state = "online";
      link.textContent = "已连接";
    });
    socket.addEventListener("message", (event) => {
      try {
        onMessage(JSON.parse(event.data));
      } catch (error) {
        console.warn("ignored a message", error);
      }
    });
    socket.addEventListener("close", (event) => {
      link.dataset.state = "offline";
      if (event.code === 4401) {
        link.textContent = "令牌无效，请联系管理员";
        return;
      }
      link.textContent = "连接中断，正在重连…";
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 5000);
    });
  }

  async function start() {
    element("back").addEventListener("click", () => show("choices"));
    element("submit").addEventListener("click", submit);
    element("comment").addEventListener("input", () => show("reasons"));
    try {
      const state = await api("GET", `/api/windows/${windowNo}/evaluation`);
      options = state.options;
      element("window-name").textContent = `${state.window_no}号窗口 · ${state.window_name} · 服务评价`;
      buildChoices();
      goIdle();
      connect(); // its first message, the snapshot, asks for a pending rating
    } catch (error) {
      body.dataset.screen = "idle";
      showError(error.message);
    }
  }

  start();
})();

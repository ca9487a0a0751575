// The web boards (hall and window): follow WS /ws, resume by seq, redraw from a small state.
// Plain JavaScript, no build step. The device token comes from the page's own URL.
"use strict";

(function () {
  const params = new URLSearchParams(window.location.search);
  const token = params.get("token") || "";
  const hall = params.get("hall");          // a city-wide viewer names the hall; devices need not
  const hallQuery = hall ? "hall=" + encodeURIComponent(hall) : "";
  const kind = document.body.dataset.board;
  const windowNo = kind === "window"
    ? Number(window.location.pathname.split("/").filter(Boolean).pop())
    : null;

  const RECONNECT_FIRST_MS = 200;
  const RECONNECT_MAX_MS = 5000;
  const DEAD_LINK_MS = 40000;          // 2.5 × the server's 15 s heartbeat
  const QUEUE_REFRESH_MS = 30000;
  const QUEUE_REFRESH_AFTER_EVENT_MS = 1000;
  const CALL_EVENTS = new Set(["ticket.called", "ticket.recalled"]);
  const STATUS_LABELS = { open: "服务中", paused: "暂停服务", closed: "未开放" };
  const WEEKDAYS = "日一二三四五六";
  const DEVICE_STATUS_CHANGED = "device.status_changed";
  const HOURS_RECHECK_MAX_MS = 60000;  // read the hall again at least this often while closed
  const ALL_DAY = "00:00-24:00";

  const state = {
    seq: null,
    hallName: "",
    timezone: "Asia/Shanghai",
    notice: "",
    settings: { recent_calls: 8, highlight_seconds: 10 },
    windows: new Map(),
    categories: [],
    recent: [],
    connected: false,
    refused: null,
    openNow: true,
    opensAt: null,
    closesAt: null,
    dayOff: false,
    zone: null,
  };

  let socket = null;
  let failures = 0;
  let deadTimer = null;
  let highlightTimer = null;
  let highlighted = false;
  let queueTimer = null;
  let queueDue = 0;
  let hoursTimer = null;

  const $ = (id) => document.getElementById(id);

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // ---- state changes (mirrors display_board/state.py) ----

  function currentCalls(windows) {
    const calls = [];
    for (const w of windows.values()) {
      const t = w.current;
      if (t && t.called_at) {
        calls.push({ ticketId: t.id, number: t.number, windowNo: w.number, at: t.called_at, recall: false });
      }
    }
    return calls;
  }

  function applySnapshot(message) {
    const hall = message.hall;
    state.hallName = hall.name;
    state.timezone = hall.timezone;
    state.notice = hall.board_notice;
    state.settings = hall.board || state.settings;
    state.windows = new Map(hall.windows.map((w) => [w.number, w]));
    state.categories = hall.categories;
    applyHours(hall);
    const known = new Set(state.recent.map((c) => c.ticketId));
    const merged = state.recent.concat(currentCalls(state.windows).filter((c) => !known.has(c.ticketId)));
    merged.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
    state.recent = merged.slice(0, state.settings.recent_calls);
    state.seq = message.seq;
  }

  // Opening hours and the 24-hour zone, from a snapshot or a hall read. The board reads the
  // hall again when it opens or closes (and at least every minute while closed), so it goes
  // back to the calls at opening by itself.
  function applyHours(hall) {
    state.openNow = hall.open_now !== false;
    state.opensAt = hall.opens_at || null;
    state.closesAt = hall.closes_at || null;
    state.dayOff = Boolean(hall.day_off);
    state.zone = hall.self_service || null;
    scheduleHoursCheck();
  }

  function scheduleHoursCheck() {
    clearTimeout(hoursTimer);
    const turn = state.openNow ? state.closesAt : state.opensAt;
    let delay = turn ? Date.parse(turn) - Date.now() + 500 : null;
    if (!state.openNow) delay = Math.min(delay === null ? HOURS_RECHECK_MAX_MS : delay, HOURS_RECHECK_MAX_MS);
    if (delay === null) return;
    hoursTimer = setTimeout(readHall, Math.max(1000, delay));
  }

  function withDevice(device) {
    if (!state.zone || !device || !device.name) return;
    state.zone = Object.assign({}, state.zone, {
      devices: state.zone.devices.map((d) => (d.name === device.name ? device : d)),
    });
  }

  function ownQueue(ticket) {
    return ticket && ticket.target_window_no === null;
  }

  function waitingChange(event) {
    const t = event.ticket;
    if (!t) return null;
    switch (event.type) {
      case "ticket.issued": return ownQueue(t) ? [t.category, 1] : null;
      case "ticket.called": return ownQueue(t) ? [t.category, -1] : null;
      case "ticket.requeued": return ownQueue(t) ? [t.category, 1] : null;
      case "ticket.cancelled": return !event.window && ownQueue(t) ? [t.category, -1] : null;
      case "ticket.transferred":
        return ownQueue(event.new_ticket) ? [event.new_ticket.category, 1] : null;
      default: return null;
    }
  }

  function applyEvent(event) {
    if (event.window) state.windows.set(event.window.number, event.window);
    const t = event.ticket;
    if (CALL_EVENTS.has(event.type) && t && t.window_no !== null) {
      const call = {
        ticketId: t.id, number: t.number, windowNo: t.window_no, at: event.at,
        recall: event.type === "ticket.recalled",
      };
      state.recent = [call].concat(state.recent.filter((c) => c.ticketId !== t.id))
        .slice(0, state.settings.recent_calls);
      if (windowNo === null || t.window_no === windowNo) startHighlight();
    }
    if (event.type === DEVICE_STATUS_CHANGED) withDevice(event.payload);
    const change = waitingChange(event);
    if (change) {
      state.categories = state.categories.map((c) =>
        c.code === change[0] ? Object.assign({}, c, { waiting: Math.max(0, c.waiting + change[1]) }) : c);
    }
    state.seq = event.seq;
    scheduleQueueRefresh(QUEUE_REFRESH_AFTER_EVENT_MS);
  }

  function startHighlight() {
    highlighted = true;
    clearTimeout(highlightTimer);
    highlightTimer = setTimeout(() => { highlighted = false; render(); },
      state.settings.highlight_seconds * 1000);
  }

  // ---- drawing ----

  function windowLabel(w) {
    if (w.status !== "open") return STATUS_LABELS[w.status] || w.status;
    if (!w.current) return "空闲";
    return w.current.status === "serving" ? "办理中" : "请前往";
  }

  function etaLabel(c) {
    if (c.waiting === 0) return "无需等候";
    if (c.eta_minutes === null || c.eta_minutes === undefined) return "—";
    return "约 " + c.eta_minutes + " 分钟";
  }

  // The columns that give the window tiles the largest type: a tile's number is sized to
  // min(32% of its height, 26% of its width) by board.css, so maximise that.
  function gridShape(count, width, height) {
    let best = { columns: 1, rows: Math.max(1, count), size: -1 };
    for (let columns = 1; columns <= Math.max(1, count); columns += 1) {
      const rows = Math.ceil(count / columns);
      const size = Math.min(0.32 * height / rows, 0.26 * width / columns);
      if (size > best.size) best = { columns, rows, size };
    }
    return best;
  }

  // A list shows only whole rows: the oldest calls give way when the panel is full.
  function dropRowsThatDoNotFit(list) {
    while (list.lastElementChild && list.scrollHeight > list.clientHeight + 1) {
      list.lastElementChild.remove();
    }
  }

  // "今天 13:30" / "明天 09:00" / "12月8日（周二）09:00", in the hall's time zone
  // (queue_server.domain.opening_hours.describe_opening).
  function localParts(date) {
    const parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: state.timezone, year: "numeric", month: "numeric", day: "numeric",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(date);
    const part = (type) => (parts.find((p) => p.type === type) || { value: "" }).value;
    return {
      day: Date.UTC(Number(part("year")), Number(part("month")) - 1, Number(part("day"))),
      month: Number(part("month")), date: Number(part("day")),
      clock: part("hour") + ":" + part("minute"),
    };
  }

  function describeOpening(opensAt) {
    const when = localParts(new Date(opensAt));
    const days = Math.round((when.day - localParts(new Date()).day) / 86400000);
    if (days === 0) return "今天 " + when.clock;
    if (days === 1) return "明天 " + when.clock;
    const weekday = WEEKDAYS[new Date(when.day).getUTCDay()];
    return when.month + "月" + when.date + "日（周" + weekday + "）" + when.clock;
  }

  function zoneHeading(zone) {
    const when = zone.hours === ALL_DAY ? "全天开放" : "开放时间 " + zone.hours.replace(/,/g, "、");
    return "24小时自助服务区 · " + when + (zone.open_now ? "" : "（现在未开放）");
  }

  // Both boards: the closed notice and the next opening; the hall board also the zone.
  function renderAfterHours() {
    const closed = !state.openNow && state.seq !== null;
    document.body.classList.toggle("is-closed", closed);
    $("after-hours").hidden = !closed;
    if (!closed) return;
    $("closed-title").textContent = state.dayOff ? "今日休息" : "大厅已下班";
    $("next-opening").textContent = state.opensAt
      ? "下次开放：" + describeOpening(state.opensAt) : "开放时间另行通知";
    if (kind !== "hall") return;
    const zone = state.zone;
    $("zone").hidden = !zone || zone.devices.length === 0;
    if (!zone) return;
    $("zone-heading").textContent = zoneHeading(zone);
    const working = zone.devices.filter((d) => d.status === "ok");
    const others = zone.devices.filter((d) => d.status !== "ok");
    $("zone-devices").replaceChildren(...working.concat(others).map((d) => {
      const item = element("li", "zone-device " + d.status);
      item.dataset.device = d.name;
      item.append(element("span", "label", d.label), element("span", "status", d.status_label));
      if (d.status === "ok" && d.services.length) {
        item.append(element("span", "services", d.services.join("、")));
      }
      return item;
    }));
  }

  function renderOffline() {
    const banner = $("offline");
    if (state.refused) {
      banner.textContent = state.refused;
      banner.hidden = false;
    } else {
      banner.textContent = "与服务器的连接已中断，正在重连…";
      banner.hidden = state.connected;
    }
    document.body.classList.toggle("is-offline", !state.connected);
  }

  function renderHall() {
    $("hall-name").textContent = state.hallName || "一门";
    const latest = state.recent[0];
    $("latest-number").textContent = latest ? latest.number : "—";
    $("latest-window").textContent = latest ? "请到 " + latest.windowNo + " 号窗口" : "暂无叫号";
    $("latest").classList.toggle("highlight", highlighted);

    const recent = $("recent");
    recent.replaceChildren(...state.recent.map((c) => {
      const item = element("li");
      item.append(element("span", "number", c.number), element("span", "to", c.windowNo + " 号窗口"));
      if (c.recall) item.append(element("span", "recall", "（重呼）"));
      return item;
    }));
    dropRowsThatDoNotFit(recent);

    const cards = [...state.windows.values()].sort((a, b) => a.number - b.number).map((w) => {
      const calling = w.status === "open" && w.current && w.current.status !== "serving";
      const card = element("div", "window-card " + w.status + (calling ? " calling" : ""));
      card.dataset.window = String(w.number);
      card.append(element("div", "no", w.number + "号"),
        element("div", "current", w.current ? w.current.number : "—"),
        element("div", "state", windowLabel(w)));
      return card;
    });
    const grid = $("windows");
    const shape = gridShape(cards.length, grid.clientWidth, grid.clientHeight);
    grid.style.setProperty("--columns", String(shape.columns));
    grid.style.setProperty("--rows", String(shape.rows));
    grid.replaceChildren(...cards);

    const rows = state.categories.map((c) => {
      const row = element("tr");
      row.dataset.category = c.code;
      row.append(element("td", "name", c.prefix + " " + c.name),
        element("td", "waiting", String(c.waiting)), element("td", "eta", etaLabel(c)));
      return row;
    });
    $("queues").tBodies[0].replaceChildren(...rows);

    if ($("notice").textContent !== state.notice) $("notice").textContent = state.notice;
  }

  function renderWindow() {
    const w = state.windows.get(windowNo);
    $("window-title").textContent = windowNo + " 号窗口";
    const main = $("window");
    if (!w) {
      $("window-name").textContent = state.seq === null ? "" : "本大厅没有这个窗口";
      $("window-number").textContent = "—";
      $("window-status").textContent = "";
      $("window-clerk").textContent = "";
      $("paused").hidden = true;
      return;
    }
    $("window-name").textContent = w.name;
    $("window-number").textContent = w.current ? w.current.number : "—";
    $("window-status").textContent = windowLabel(w);
    $("window-clerk").textContent = w.clerk
      ? "工作人员 " + w.clerk.display_name + (w.clerk.staff_no ? "　工号 " + w.clerk.staff_no : "")
      : "";
    $("paused").hidden = w.status !== "paused";
    main.classList.toggle("closed", w.status === "closed");
    main.classList.toggle("highlight", highlighted);
  }

  function render() {
    renderOffline();
    renderAfterHours();  // first: the hall's tiles are measured only once the hall is shown
    if (kind === "window") renderWindow(); else renderHall();
    document.body.dataset.seq = state.seq === null ? "" : String(state.seq);
  }

  function tickClock() {
    let text;
    try {
      const parts = new Intl.DateTimeFormat("zh-CN", {
        timeZone: state.timezone, year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", weekday: "short",
      }).formatToParts(new Date());
      const part = (type) => (parts.find((p) => p.type === type) || { value: "" }).value;
      text = part("year") + "-" + part("month") + "-" + part("day") + " " + part("weekday") +
        " " + part("hour") + ":" + part("minute") + ":" + part("second");
    } catch (error) {
      const now = new Date();
      text = now.toLocaleString("zh-CN") + " 星期" + WEEKDAYS[now.getDay()];
    }
    $("clock").textContent = text;
  }

  // ---- the link ----

  function socketUrl() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    let url = scheme + "//" + window.location.host + "/ws?token=" + encodeURIComponent(token);
    if (state.seq !== null) url += "&since=" + state.seq;
    if (hallQuery) url += "&" + hallQuery;
    return url;
  }

  function armDeadTimer() {
    clearTimeout(deadTimer);
    deadTimer = setTimeout(() => { if (socket) socket.close(); }, DEAD_LINK_MS);
  }

  function reconnectDelay() {
    const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * Math.pow(2, failures - 1));
    return ceiling * (0.5 + Math.random() / 2);
  }

  function connect() {
    const ws = new WebSocket(socketUrl());
    socket = ws;
    ws.onopen = () => {
      failures = 0;
      state.connected = true;
      armDeadTimer();
      render();
      scheduleQueueRefresh(QUEUE_REFRESH_AFTER_EVENT_MS);
      // A resumed link brings no snapshot: read the opening hours again (the hall board does
      // with its queues), or a window display could miss the opening while it was offline.
      if (kind !== "hall") readHall();
    };
    ws.onmessage = (message) => {
      armDeadTimer();
      let data;
      try { data = JSON.parse(message.data); } catch (error) { return; }
      if (data.type === "error") {
        state.refused = "显示屏令牌被拒绝：" + (data.detail || "") + "（请检查网址中的 token=）";
      } else if (data.type === "snapshot") {
        applySnapshot(data);
      } else if (data.type === "heartbeat") {
        return;
      } else if (typeof data.seq === "number" && (state.seq === null || data.seq > state.seq)) {
        applyEvent(data);
      } else {
        return;
      }
      render();
    };
    ws.onclose = (closed) => {
      clearTimeout(deadTimer);
      if (socket === ws) socket = null;
      state.connected = false;
      render();
      // A refused token or hall (4401, 4403, 4404, 4422) will not become right by retrying.
      if (closed.code >= 4400 && closed.code < 4500) return;
      failures += 1;
      setTimeout(connect, reconnectDelay());
    };
  }

  // ---- waiting counts and ETAs, which only the server computes ----

  function scheduleQueueRefresh(delay) {
    if (kind !== "hall") return;
    const due = Date.now() + delay;
    if (queueTimer !== null && queueDue <= due) return;
    clearTimeout(queueTimer);
    queueDue = due;
    queueTimer = setTimeout(refreshQueues, delay);
  }

  async function refreshQueues() {
    queueTimer = null;
    await readHall();
    scheduleQueueRefresh(QUEUE_REFRESH_MS);
  }

  async function readHall() {
    if (!state.connected) return;
    try {
      const response = await fetch("/api/hall" + (hallQuery ? "?" + hallQuery : ""), {
        headers: { Authorization: "Bearer " + token },
        cache: "no-store",
      });
      if (response.ok) {
        const hall = await response.json();
        state.categories = hall.categories;
        applyHours(hall);
        render();
      }
    } catch (error) {
      // The link's own reconnect shows the outage; the next refresh tries again.
    }
  }

  render();
  tickClock();
  setInterval(tickClock, 1000);
  window.addEventListener("resize", render);
  connect();
})();

// The status page. The server renders the ticket into the page; this script follows it live
// over /ws/t/{code}, reconnecting with a growing pause when the link drops, and once the
// ticket is done asks for the applicant's rating (POST /api/public/tickets/{code}/evaluation,
// without a token). A 市域通办 case opened from the ticket is shown above the number; the
// socket re-reads the whole view at least every heartbeat (15 s), so a step taken in another
// hall shows here within that. Words for each state match queue_server/api/status_render.py.
(function () {
  "use strict";
  const code = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
  const ratingPath = "/api/public/tickets/" + encodeURIComponent(code) + "/evaluation";
  const $ = (id) => document.getElementById(id);
  let retry = 1000;
  let gone = false;
  let ratingAsked = false;
  let options = null;
  let level = null;
  let chosen = new Set();
  let sending = false;

  function setOnline(online) {
    $("offline").hidden = online;
    $("connection").textContent = online ? "实时更新中" : "连接中断，正在重新连接…";
    $("connection").classList.toggle("is-offline", !online);
  }

  function callWindowText(ticket) {
    if (ticket.window_no === null || ticket.window_no === undefined) { return ""; }
    return ticket.status === "serving"
      ? "正在" + ticket.window_no + "号窗口办理"
      : "请到" + ticket.window_no + "号窗口";
  }

  function etaText(ticket) {
    if (ticket.ahead === 0) { return "无需等候，请留意叫号"; }
    if (ticket.eta_minutes === null || ticket.eta_minutes === undefined) {
      return "暂无法估计等候时间";
    }
    return "预计等候约 " + ticket.eta_minutes + " 分钟";
  }

  // ---- 市域通办: the case opened from this ticket ----

  const WEEKDAYS = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];

  function dayText(iso) {
    // "2026-12-09" is a day in the hall's zone: read it as a date, not as a UTC instant.
    const [year, month, day] = iso.split("-").map(Number);
    const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
    return month + "月" + day + "日（" + WEEKDAYS[weekday] + "）";
  }

  function caseStepDate(step, delivery) {
    if (step.done_on) { return dayText(step.done_on); }
    if (step.step === "resubmit") { return "等您交回材料"; }
    return step.step === "deliver" && delivery === "pickup" ? "等您领取" : "进行中";
  }

  function caseDueText(item) {
    const current = item.steps.find((step) => !step.done_on);
    if (!current || !item.due_on) { return ""; }
    return "最晚 " + dayText(item.due_on) + current.label;
  }

  function listItem(text) {
    const li = document.createElement("li");
    li.textContent = text;
    return li;
  }

  function showCase(item) {
    $("case").hidden = !item;
    if (!item) { return; }
    $("case").dataset.caseStatus = item.status;
    $("case-matter").textContent = item.matter_name;
    $("case-status").textContent = item.status_label;
    $("case-summary").textContent = item.summary;
    const due = caseDueText(item);
    $("case-due").textContent = due;
    $("case-due").hidden = !due;
    const materials = item.materials || [];
    $("case-materials-box").hidden = item.status !== "returned";
    $("case-materials-label").textContent =
      materials.length ? "需要补正的材料（共 " + materials.length + " 项）" : "";
    $("case-materials").replaceChildren(...materials.map(listItem));
    $("case-steps").replaceChildren(...item.steps.map((step) => {
      const li = document.createElement("li");
      const done = Boolean(step.done_on);
      li.className = done ? "done" : "current";
      if (!done) { li.setAttribute("aria-current", "step"); }
      const name = document.createElement("span");
      name.className = "step-name";
      name.textContent = step.label;
      const date = document.createElement("span");
      date.className = "step-date";
      date.textContent = caseStepDate(step, item.delivery);
      li.append(name, date);
      return li;
    }));
    $("case-owner").textContent = item.owner_hall_name;
    $("case-delivery").textContent = item.delivery === "pickup"
      ? "到" + item.pickup_hall_name + "领取" : "邮寄到您登记的地址";
    $("case-code").textContent = item.code;
  }

  // ---- the smart locker: a result waiting with its pickup code ----
  // Worded like status_render.py's locker_texts.

  function showLocker(item) {
    // A used code leaves the page altogether, not just the view.
    $("locker").hidden = !item;
    $("locker-code").textContent = item ? item.pickup_code : "";
    $("locker-where").textContent = item
      ? "请到24小时自助服务区的" + item.locker_label + "输入取件码" : "";
    $("locker-hours").textContent = item ? "自助服务区" + item.zone_hours : "";
  }

  // ---- 补件 → 出件: the journey of this ticket ----
  // Worded like status_render.py's _journey_values.

  const JOURNEY_NOTES = {
    awaiting_documents: "补齐后凭回执码在取号机选择“补件回执”取号，优先办理",
    returned: "材料已收到，正在办理；可以领取时本页会告诉您",
    collected: "办理结果已领取，本事项已办结",
    expired: "回执码已过有效期，如需继续办理请重新取号",
  };

  function journeyValidText(item) {
    if (!item.valid_until || item.status !== "awaiting_documents") { return ""; }
    const at = new Date(item.valid_until);
    const parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hour12: false,
    }).formatToParts(at);
    const part = (type) => parts.find((p) => p.type === type).value;
    const day = part("year") + "-" + part("month") + "-" + part("day");
    return "有效期至 " + dayText(day) + part("hour") + ":" + part("minute");
  }

  function showJourney(item) {
    $("journey").hidden = !item;
    if (!item) { return; }
    $("journey").dataset.journeyStatus = item.status;
    $("journey-status").textContent = item.status_label;
    const missing = item.missing || [];
    $("journey-missing-box").hidden = missing.length === 0;
    $("journey-missing-label").textContent = "请补齐以下材料（共 " + missing.length + " 项）";
    $("journey-missing").replaceChildren(...missing.map(listItem));
    $("journey-code-box").hidden = !item.return_code;
    $("journey-code").textContent = item.return_code || "";
    $("journey-valid").textContent = journeyValidText(item);
    $("journey-note").textContent = item.status === "ready"
      ? (item.collect_text || "") : (JOURNEY_NOTES[item.status] || "");
  }

  function show(ticket) {
    $("ticket").dataset.status = ticket.status;
    document.title = ticket.number + " 排队进度";
    $("hall").textContent = ticket.hall_name;
    $("number").textContent = ticket.number;
    $("category").textContent = ticket.category_name;
    $("status").textContent = ticket.status_label;
    // A case carries on after the visit: the ticket's own 已办结 would read as the matter's.
    const hasCase = Boolean(ticket.cross_region) || Boolean(ticket.journey);
    $("status").hidden = hasCase;
    showCase(ticket.cross_region);
    showJourney(ticket.journey);
    showLocker(ticket.locker);
    const atWindow = ticket.window_no !== null && ticket.window_no !== undefined;
    $("call").hidden = !atWindow;
    $("call-window").textContent = callWindowText(ticket);
    $("call-text").textContent = ticket.call_text || "";
    const waiting = ticket.status === "waiting";
    $("waiting").hidden = !waiting;
    $("ahead").textContent = waiting && ticket.ahead !== null ? String(ticket.ahead) : "";
    $("eta").textContent = waiting ? etaText(ticket) : "";
    const done = ticket.status === "done";
    $("done").hidden = !done || hasCase;
    if (done) {
      askForRating();
    } else {
      for (const id of ["rating", "rated", "rating-closed"]) { $(id).hidden = true; }
    }
    $("matter-box").hidden = !ticket.matter;
    $("matter").textContent = ticket.matter || "";
    const materials = ticket.materials || [];
    $("materials-label").hidden = materials.length === 0;
    $("materials").hidden = materials.length === 0;
    $("materials").replaceChildren(...materials.map((item) => {
      const li = document.createElement("li");
      li.textContent = item;
      return li;
    }));
    $("updated").textContent = "更新于 " +
      new Date(ticket.updated_at).toLocaleTimeString("zh-CN", { hour12: false });
  }

  // ---- rating (好差评) ----

  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function ratingError(message) {
    $("rating-error").textContent = message;
    $("rating-error").hidden = !message;
  }

  function showRated(label) {
    $("rating").hidden = true;
    $("rating-closed").hidden = true;
    $("rated-level").textContent = "您的评价：" + label;
    $("rated").hidden = false;
  }

  function showState(state) {
    if (state.evaluation) {
      showRated(state.evaluation.label);
    } else if (state.rateable) {
      options = state.options;
      buildChoices();
      $("rated").hidden = true;
      $("rating-closed").hidden = true;
      $("rating").hidden = false;
    } else {
      $("rating").hidden = true;
      $("rating-refusal").textContent = state.refusal || "";
      $("rating-closed").hidden = !state.refusal;
    }
  }

  async function askForRating() {
    if (ratingAsked) { return; }
    ratingAsked = true;
    try {
      const response = await fetch(ratingPath);
      if (!response.ok) { throw new Error(String(response.status)); }
      showState(await response.json());
    } catch (error) {
      ratingAsked = false; // the next update tries again
    }
  }

  function button(text, className, onClick) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.textContent = text;
    element.addEventListener("click", onClick);
    return element;
  }

  function buildChoices() {
    $("levels").replaceChildren(...options.levels.map((item) => {
      const choice = button(item.label, "level", () => choose(item));
      choice.dataset.level = String(item.level);
      return choice;
    }));
    $("reasons").replaceChildren(...options.reasons.map((reason) => {
      const toggle = button(reason, "reason", () => {
        if (chosen.has(reason)) { chosen.delete(reason); } else { chosen.add(reason); }
        toggle.setAttribute("aria-pressed", String(chosen.has(reason)));
        $("submit").disabled = chosen.size === 0;
      });
      toggle.setAttribute("aria-pressed", "false");
      return toggle;
    }));
    showLevels();
  }

  function showLevels() {
    level = null;
    chosen = new Set();
    for (const toggle of $("reasons").children) { toggle.setAttribute("aria-pressed", "false"); }
    $("comment").value = "";
    $("submit").disabled = true;
    $("reasons-box").hidden = true;
    $("levels").hidden = false;
    $("rating-title").textContent = "请您评价本次服务";
    ratingError("");
  }

  function choose(item) {
    level = item.level;
    ratingError("");
    if (item.needs_reason) {
      $("levels").hidden = true;
      $("reasons-box").hidden = false;
      $("rating-title").textContent = "您选择了“" + item.label + "”";
    } else {
      submit();
    }
  }

  function setSending(on) {
    sending = on;
    for (const element of $("rating").querySelectorAll("button")) {
      element.disabled = on || (element.id === "submit" && chosen.size === 0);
    }
  }

  async function submit() {
    if (sending || level === null) { return; }
    const payload = { level, reasons: options.reasons.filter((r) => chosen.has(r)) };
    const comment = $("comment").value.trim();
    if (comment && !$("reasons-box").hidden) { payload.comment = comment; }
    setSending(true);
    try {
      const response = await fetch(ratingPath, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Idempotency-Key": newKey() },
        body: JSON.stringify(payload),
      });
      const data = await response.json().catch(() => ({}));
      if (response.ok) {
        showRated(data.label);
        $("rated").focus();
      } else if (response.status === 409) {
        ratingAsked = false;
        ratingError(data.detail || "暂时不能评价");
        askForRating();
      } else {
        ratingError((data.detail || "评价未能提交") + "，请重试");
      }
    } catch (error) {
      ratingError("网络不可用，评价未能提交，请稍后再试");
    } finally {
      setSending(false);
    }
  }

  // ---- live updates ----

  function notFound() {
    gone = true;
    location.reload(); // the server answers an unknown code with its 404 page
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(scheme + "//" + location.host + "/ws/t/" + encodeURIComponent(code));
    socket.onopen = () => { retry = 1000; setOnline(true); };
    socket.onmessage = (message) => {
      const data = JSON.parse(message.data);
      if (data.type === "ticket_status") { show(data.ticket); }
    };
    socket.onclose = (event) => {
      if (event.code === 4404) { notFound(); }
      if (gone) { return; }
      setOnline(false);
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 15000);
    };
  }

  $("back").addEventListener("click", showLevels);
  $("submit").addEventListener("click", submit);
  $("connection").textContent = "正在连接…";
  if ($("ticket").dataset.status === "done") { askForRating(); }
  connect();
})();

// The status page: reads the code from its own address, shows the ticket, and follows it
// live over /ws/t/{code}, reconnecting with a growing pause when the link drops.
(function () {
  "use strict";
  const code = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
  const $ = (id) => document.getElementById(id);
  let retry = 1000;
  let gone = false;

  function setConnection(text, offline) {
    $("connection").textContent = text;
    $("connection").classList.toggle("offline", offline);
  }

  function show(ticket) {
    $("ticket").dataset.status = ticket.status;
    $("hall").textContent = ticket.hall_name;
    $("number").textContent = ticket.number;
    $("category").textContent = ticket.category_name;
    $("status").textContent = ticket.status_label;
    const atWindow = ticket.window_no !== null && ticket.window_no !== undefined;
    $("call").hidden = !atWindow;
    if (atWindow) {
      $("call-window").textContent = "请到" + ticket.window_no + "号窗口";
      $("call-text").textContent = ticket.call_text || "";
    }
    const waiting = ticket.status === "waiting";
    $("waiting").hidden = !waiting;
    if (waiting) {
      $("ahead").textContent = String(ticket.ahead);
      $("eta").textContent = ticket.eta_minutes === null
        ? "暂无法估计等候时间"
        : "预计等候约 " + ticket.eta_minutes + " 分钟";
    }
    $("matter-box").hidden = !ticket.matter;
    $("matter").textContent = ticket.matter || "";
    $("materials-label").hidden = ticket.materials.length === 0;
    $("materials").replaceChildren(...ticket.materials.map((item) => {
      const li = document.createElement("li");
      li.textContent = item;
      return li;
    }));
    $("message").hidden = true;
    $("updated").textContent = "更新于 " + new Date(ticket.updated_at).toLocaleTimeString("zh-CN");
  }

  function notFound() {
    gone = true;
    $("ticket").dataset.status = "not_found";
    $("status").textContent = "未找到";
    $("message").textContent = "没有找到这张号票，请核对二维码或咨询工作人员。";
    $("message").hidden = false;
    setConnection("", false);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(scheme + "//" + location.host + "/ws/t/" + encodeURIComponent(code));
    socket.onopen = () => { retry = 1000; setConnection("实时更新中", false); };
    socket.onmessage = (message) => {
      const data = JSON.parse(message.data);
      if (data.type === "ticket_status") { show(data.ticket); }
      else if (data.type === "error") { notFound(); }
    };
    socket.onclose = (event) => {
      if (event.code === 4404) { notFound(); }
      if (gone) { return; }
      setConnection("连接中断，正在重新连接…", true);
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 15000);
    };
  }

  fetch("/api/public/tickets/" + encodeURIComponent(code))
    .then((response) => {
      if (response.status === 404 || response.status === 422) { notFound(); return null; }
      return response.ok ? response.json() : null;
    })
    .then((ticket) => { if (ticket) { show(ticket); } })
    .catch(() => setConnection("网络不可用，正在重试…", true))
    .finally(() => { if (!gone) { connect(); } });
})();

// The source reader of the Edit records page: the article's text; the passage the user selects
// (mouse, touch or keyboard) goes back to Python as the quote. Speaks Streamlit's component
// protocol directly (postMessage), so it needs no bundled library.
(function () {
  "use strict";
  const box = document.getElementById("text");
  const picked = document.getElementById("picked");
  let shownText = null;
  let sent = "";
  let count = 0;

  function post(type, extra) {
    window.parent.postMessage(Object.assign({isStreamlitMessage: true, type: type}, extra), "*");
  }

  function fitHeight() {
    post("streamlit:setFrameHeight", {height: document.documentElement.scrollHeight + 4});
  }

  function sendSelection() {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || !box.contains(selection.anchorNode)) return;
    const quote = selection.toString().trim();
    if (!quote || quote === sent) return;
    sent = quote;
    count += 1;
    picked.textContent = "Selected " + quote.length + " characters: now the quote.";
    post("streamlit:setComponentValue", {value: {quote: quote, n: count}, dataType: "json"});
  }

  window.addEventListener("message", function (event) {
    const data = event.data;
    if (!data || data.type !== "streamlit:render") return;
    const text = String(data.args.text || "");
    if (text !== shownText) {  // a rerun with the same source keeps the reader's scroll and selection
      shownText = text;
      box.textContent = text;  // text, never markup
      picked.textContent = "";
      sent = "";
    }
    fitHeight();
  });
  document.addEventListener("mouseup", sendSelection);
  document.addEventListener("touchend", sendSelection);
  document.addEventListener("keyup", function (event) { if (event.shiftKey || event.key === "Shift") sendSelection(); });
  post("streamlit:componentReady", {apiVersion: 1});
})();

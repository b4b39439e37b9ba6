// Highlight every piece of the span a fact or tag link points to (#f12, #t3). Links work
// without this script: the browser scrolls to the anchor; this adds the emphasis.
(function () {
  function activate() {
    var id = decodeURIComponent(location.hash.slice(1));
    document.querySelectorAll("mark.active").forEach(function (m) { m.classList.remove("active"); });
    if (!/^[ft]\d+$/.test(id)) return;
    document.querySelectorAll("mark[data-ids]").forEach(function (m) {
      if (m.dataset.ids.split(" ").indexOf(id) >= 0) m.classList.add("active");
    });
    var anchor = document.getElementById(id);
    if (anchor) anchor.scrollIntoView({block: "center"});
  }
  window.addEventListener("hashchange", activate);
  document.addEventListener("DOMContentLoaded", activate);
})();

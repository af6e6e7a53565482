// Aftersale product reviews on the shop's own product page. Put, where the reviews belong:
//   <div data-aftersale-reviews data-shop="SHOP" data-product="PRODUCT ID" data-lang="fi"></div>
//   <script src="https://AFTERSALE/static/aftersale/reviews-widget.js" async></script>
// The script fetches the server-rendered fragment (summary, reviews, JSON-LD) from the server it
// was loaded from and puts it in the element; sorting and paging fetch the next fragment. No
// framework, no cookies. docs/developers/reviews-widget.md explains the options.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? new URL(script.src, location.href).origin : "";

  // The fragment's look comes from a stylesheet beside this script (no inline style: the
  // product page's and our own Content-Security-Policy may forbid it), added once.
  function addStyles() {
    if (!script || document.querySelector("link[data-aftersale-reviews-css]")) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = new URL("reviews-widget.css", script.src).href;
    link.setAttribute("data-aftersale-reviews-css", "");
    document.head.appendChild(link);
  }

  function address(box, params) {
    var url = new URL(
      "/s/" + encodeURIComponent(box.dataset.shop) + "/reviews/widget/" +
        encodeURIComponent(box.dataset.product) + "/",
      base || location.href
    );
    url.searchParams.set("lang", box.dataset.lang || document.documentElement.lang || "en");
    Object.keys(params || {}).forEach(function (name) {
      if (params[name]) url.searchParams.set(name, params[name]);
    });
    return url;
  }

  function load(box, params) {
    box.setAttribute("aria-busy", "true");
    return fetch(address(box, params), { credentials: "omit" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        box.innerHTML = html;
        box.dataset.loaded = "true";
      })
      .catch(function () {
        box.dataset.loaded = "failed";
      })
      .then(function () {
        box.removeAttribute("aria-busy");
      });
  }

  function wire(box) {
    if (box.dataset.wired) return;
    box.dataset.wired = "true";
    box.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[data-page]");
      if (!link || !box.contains(link)) return;
      event.preventDefault();
      load(box, { sort: link.dataset.sort, page: link.dataset.page }).then(function () {
        box.scrollIntoView({ block: "start" });
      });
    });
    box.addEventListener("change", function (event) {
      if (event.target.name !== "sort") return;
      load(box, { sort: event.target.value, page: "1" });
    });
    box.addEventListener("submit", function (event) {
      event.preventDefault();
    });
    load(box, { sort: box.dataset.sort });
  }

  function start() {
    var boxes = document.querySelectorAll("[data-aftersale-reviews]");
    if (boxes.length) addStyles();
    for (var i = 0; i < boxes.length; i++) wire(boxes[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

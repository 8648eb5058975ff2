// Client-side search of the credit archive by enterprise name or credit code.
// The index is a static JSON file; results are built with textContent only, so
// nothing in an enterprise's name can become markup.
"use strict";

(function () {
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!input || !list || !status) {
    return;
  }
  var root = input.getAttribute("data-root") || "./";
  var limit = 50;
  var entries = null;

  function normalise(text) {
    return String(text).normalize("NFKC").trim().toUpperCase();
  }

  function show(query) {
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    if (!query) {
      status.textContent = "";
      return;
    }
    var matches = entries.filter(function (entry) {
      return entry.key.indexOf(query) !== -1;
    });
    matches.slice(0, limit).forEach(function (entry) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + entry.url;
      link.textContent = entry.name;
      item.appendChild(link);
      var code = document.createElement("span");
      code.className = "code";
      code.textContent = entry.code;
      item.appendChild(code);
      var where = document.createElement("span");
      where.className = "muted";
      where.textContent = " " + entry.county + (entry.grade ? " · 最新等级 " + entry.grade + "级 " + entry.plate : "");
      item.appendChild(where);
      list.appendChild(item);
    });
    if (matches.length === 0) {
      status.textContent = "未找到匹配的企业。";
    } else if (matches.length > limit) {
      status.textContent = "找到 " + matches.length + " 家企业，显示前 " + limit + " 家，请输入更多字符缩小范围。";
    } else {
      status.textContent = "找到 " + matches.length + " 家企业。";
    }
  }

  fetch(root + "search-index.json")
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    })
    .then(function (data) {
      entries = data.enterprises.map(function (entry) {
        entry.key = normalise(entry.name + " " + entry.code);
        return entry;
      });
      input.disabled = false;
      input.addEventListener("input", function () {
        show(normalise(input.value));
      });
      show(normalise(input.value));
    })
    .catch(function (error) {
      status.textContent = "无法加载检索数据（" + error.message + "）。请通过网站服务器访问本页面。";
    });
})();

// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Formsets: "增加一行" clones the empty row and bumps TOTAL_FORMS.
  document.querySelectorAll("button.add-row").forEach(function (button) {
    button.addEventListener("click", function () {
      var prefix = button.dataset.prefix;
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      var tpl = document.getElementById("tpl-" + prefix);
      var body = document.querySelector('table.formset[data-prefix="' + prefix + '"] tbody');
      var index = parseInt(total.value, 10);
      body.insertAdjacentHTML("beforeend", tpl.innerHTML.replace(/__prefix__/g, String(index)));
      total.value = String(index + 1);
      var first = body.lastElementChild.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    });
  });
  // Sign-in page in demo mode: a click on an account fills the form.
  document.querySelectorAll("button.demo-user").forEach(function (button) {
    button.addEventListener("click", function () {
      document.getElementById("id_username").value = button.dataset.username;
      document.getElementById("id_password").value = button.dataset.password;
      document.getElementById("id_password").focus();
    });
  });
});

// The pages' only script, served from this server (the Content-Security-Policy allows no inline script). The pages
// work without it; it adds two conveniences.
document.addEventListener('DOMContentLoaded', function () {
  // Times are written in UTC; hovering one shows it in the browser's own time zone.
  document.querySelectorAll('time[datetime]').forEach(function (t) {
    var d = new Date(t.getAttribute('datetime'));
    if (!isNaN(d.getTime())) {
      t.title = d.toLocaleString();
    }
  });
  // One submission per form: a second click would send a second review, which the server refuses.
  document.querySelectorAll('form').forEach(function (form) {
    form.addEventListener('submit', function () {
      // After the browser has taken the clicked button's name and value into the form's data.
      setTimeout(function () {
        form.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
});

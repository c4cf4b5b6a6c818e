// The trash buttons work without JavaScript (they open a confirmation page); with it the
// browser asks right away, and a yes goes straight to removal.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var vraag = form.getAttribute && form.getAttribute("data-bevestig");
  if (!vraag) {
    return;
  }
  if (!window.confirm(vraag)) {
    event.preventDefault();
    return;
  }
  var veld = form.querySelector('input[name="bevestigd"]');
  if (veld) {
    veld.value = "1";
  }
});

// LTI deep linking: post the signed answer back to the learning platform as soon as the page loads
// (the button stays for browsers without JavaScript).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("lti-autopost");
  if (form && form.dataset.autosubmit === "1") { form.submit(); }
});

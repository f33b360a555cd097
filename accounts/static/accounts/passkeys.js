// After django-otp-webauthn registers a passkey, go on to the page named on its placeholder
// (the two-factor page, which lists it), instead of leaving the button's message alone.
document.addEventListener("otp_webauthn.register_complete", () => {
  const placeholder = document.querySelector("[data-after]");
  window.location.assign(placeholder ? placeholder.dataset.after : window.location.href);
});

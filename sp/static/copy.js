// Copy buttons on Settings > Authentication & SSO > SAML 2.0 > Configure.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    // No clipboard API (plain http on a non-loopback host): select it for Ctrl-C instead.
    field.select();
    return;
  }
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = "Copy"; }, 2000);
});

// Brings the selected record's details into view when they are off screen (on a phone they sit
// below the map) and keeps them there while the page settles: the map and its popup lay out
// after the details and can push them out of view again. Defined once in the page by the map
// area's script (st.html), which calls it again when the selection changes or the map area
// mounts anew; it acts once per selection ("" = none, so choosing the same record again later
// acts again), so a remount neither ends nor repeats it. Stops once
// the details have stayed in view for 2 s, after 30 s, when another selection starts its own
// check, or as soon as the user scrolls, touches or types: it never fights the user.
window.panjShowDetails = function (selector, selection) {
  "use strict";
  if (selection === window.panjShowDetails.shown) return;
  window.panjShowDetails.shown = selection;
  const token = {};
  window.panjShowDetails.current = token;
  if (!selection) return;
  let userMoved = false;
  const stop = function () { userMoved = true; };
  for (const type of ["wheel", "touchmove", "keydown"]) {
    window.addEventListener(type, stop, {once: true, passive: true});
  }
  let steady = 0;
  let checks = 0;
  (function check() {
    if (userMoved || window.panjShowDetails.current !== token) return;
    const el = document.querySelector(selector);
    if (el) {
      const top = el.getBoundingClientRect().top;
      if (top < 0 || top > window.innerHeight - 120) {
        el.scrollIntoView({block: "start"});
        steady = 0;
      } else {
        steady += 1;
      }
    }
    if (steady < 5 && ++checks < 75) setTimeout(check, 400);
  })();
};

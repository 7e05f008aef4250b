#!/usr/bin/env python3
"""Asks the top-level window of process PID to close, as a window manager's close button does:
an ICCCM WM_DELETE_WINDOW client message. Under Xvfb there is no window manager, and
WebDriver's "close window" ends the session instead of asking the app, so this is how the
real-window tests reach the app's close-requested handling (Tauri's CloseRequested).

Usage: close-window.py PID    (DISPLAY must be set; exits 2 if PID has no such window)
"""

import sys

from Xlib import X, display, protocol


def main() -> int:
    pid = int(sys.argv[1])
    d = display.Display()
    net_wm_pid = d.intern_atom("_NET_WM_PID")
    wm_protocols = d.intern_atom("WM_PROTOCOLS")
    wm_delete = d.intern_atom("WM_DELETE_WINDOW")
    targets = []
    # With no window manager, top-level windows are the root's own children.
    for w in d.screen().root.query_tree().children:
        try:
            owner = w.get_full_property(net_wm_pid, X.AnyPropertyType)
            if not owner or owner.value[0] != pid:
                continue
            if wm_delete not in (w.get_wm_protocols() or []):
                continue
            if w.get_attributes().map_state != X.IsViewable:
                continue
        except Exception:  # a window that went away meanwhile
            continue
        targets.append(w)
    if len(targets) != 1:
        print(f"close-window: expected one viewable window of process {pid} that accepts WM_DELETE_WINDOW, found {len(targets)}", file=sys.stderr)
        return 2
    w = targets[0]
    event = protocol.event.ClientMessage(window=w, client_type=wm_protocols, data=(32, [wm_delete, X.CurrentTime, 0, 0, 0]))
    w.send_event(event, event_mask=X.NoEventMask)
    d.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Starts MiniStack (PyPI `ministack`) on one loopback port and stops it when the JVM that started it is gone.

MiniStack serialises requests itself (a global lock), so it needs no wrapper of the kind serve_moto.py is; this
script only adds the parent watch, so that a killed test JVM leaves no server behind.

Usage: python serve_ministack.py HOST PORT
"""
import os
import sys
import threading
import time


def exit_with_parent():
    parent = os.getppid()
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(0)


def main():
    host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    port = sys.argv[2] if len(sys.argv) > 2 else "4566"
    os.environ["GATEWAY_PORT"] = port
    os.environ["BIND_HOST"] = host
    threading.Thread(target=exit_with_parent, daemon=True).start()
    sys.argv = ["ministack"]
    from ministack.app import main as ministack_main
    ministack_main()


if __name__ == "__main__":
    main()

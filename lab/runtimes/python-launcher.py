# Runs a document's Flask app file as __main__, and ends it when the lab that started it is gone
# (even after kill -9 of the lab), so no app outlives the lab.
import os
import runpy
import sys
import threading
import time

parent = os.getppid()


def watch_parent():
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


threading.Thread(target=watch_parent, daemon=True).start()
app_file = os.path.abspath(sys.argv[1])
sys.argv = [app_file]
sys.path.insert(0, os.path.dirname(app_file))
runpy.run_path(app_file, run_name="__main__")

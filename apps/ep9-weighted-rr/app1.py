import os

from flask import Flask

app = Flask(__name__)

@app.route('/')
def home():
    return "Hello from Flask App 1!"

@app.route('/data')
def data():
    return "Data from Flask App 1!"

if __name__ == "__main__":
    # HOST and PORT let the lab run this file on 127.0.0.1 and a free port; the defaults are the document's.
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "5001")))

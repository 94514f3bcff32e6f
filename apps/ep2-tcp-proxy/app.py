import os

from flask import Flask, request

app = Flask(__name__)

@app.route('/', methods=['GET'])
def home():
    return "Hello from Flask over TCP!"

if __name__ == "__main__":
    # HOST and PORT let the lab run this file on 127.0.0.1 and a free port; the defaults are the document's.
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "5000")))  # Run the app on port 5000

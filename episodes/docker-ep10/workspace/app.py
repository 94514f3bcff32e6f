from flask import Flask

app = Flask(__name__)

def hello_world():
    return 'Hello, Dockerized Flask!'

if __name__ == '__main__':
    app.run(host='', port=5000)

"""Code that runs inside the Rasa server.

nlu/       the pipeline's steps (safety check, dates, conference words,
           guards, classifiers, sentence features)
channels/  REST, socket.io and text messages (SMS)
stores/    the tracker store (with redaction) and the lock store
sentence_model.py  the sentence model, run with numpy
patches.py every change to Rasa's internals, installed by server.py
server.py  the Rasa server's entry point: `python -m companion.server run ...`
"""

from llmgateway.v1 import audio_pb2 as _audio_pb2
from llmgateway.v1 import chat_pb2 as _chat_pb2
from llmgateway.v1 import embedding_pb2 as _embedding_pb2
from llmgateway.v1 import image_pb2 as _image_pb2
from llmgateway.v1 import model_pb2 as _model_pb2
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

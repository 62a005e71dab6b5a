"""Minimal safetensors reading and writing for the project's PyTorch scripts (numpy arrays).

Debian ships no python3-safetensors; the format is small enough to write here: an 8-byte
little-endian header length, a JSON header (padded with spaces to a multiple of 8), then the raw
little-endian tensor bytes back to back, in the order given.
"""

import json
import struct

import numpy

DTYPES = {numpy.dtype("float32"): "F32", numpy.dtype("float64"): "F64", numpy.dtype("float16"): "F16",
          numpy.dtype("int64"): "I64"}
NUMPY_TYPES = {"F32": numpy.float32, "F64": numpy.float64, "F16": numpy.float16, "I64": numpy.int64}


def write_safetensors(path, metadata, tensors):
    """tensors: (name, numpy array) in file order; 8-byte dtypes must come first (alignment)."""
    header = {"__metadata__": metadata} if metadata else {}
    blobs = []
    offset = 0
    for name, array in tensors:
        array = numpy.ascontiguousarray(array)
        data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes(order="C")
        header[name] = {"dtype": DTYPES[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for data in blobs:
            out.write(data)


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + length])
    metadata = header.pop("__metadata__", {})
    base = 8 + length
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = NUMPY_TYPES[info["dtype"]]
        tensors[name] = numpy.frombuffer(raw[base + begin:base + end], dtype=dtype).reshape(info["shape"])
    return metadata, tensors

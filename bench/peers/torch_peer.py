"""PyTorch peer of the graft bench: a server that peers/torch.ts runs with /usr/bin/python3.

The bench drives it one request at a time (see serve()), so PyTorch takes its turn in the same
interleaved rounds as the JS implementations; each run is timed here, in Python, and only that
time is reported. Inputs are float32 files written by the bench in graft's layouts (NHWC, HWIO);
they are moved to PyTorch's NCHW / OIHW when a case is prepared, before anything is timed, and
outputs are moved back for the check.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

# Threads: the first argument (default 1: a stable peer on a shared machine).
torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
torch.set_grad_enabled(False)


def load(d, name, shape):
    a = np.fromfile(os.path.join(d, name), dtype=np.float32)
    return torch.from_numpy(a).reshape(shape)


def save(d, name, t):
    t.detach().contiguous().numpy().astype(np.float32).tofile(os.path.join(d, name))


def nchw(t):
    return t.permute(0, 3, 1, 2).contiguous()


def nhwc(t):
    return t.permute(0, 2, 3, 1).contiguous()


def oihw(t):
    return t.permute(3, 2, 0, 1).contiguous()


def hwio(t):
    return t.permute(2, 3, 1, 0).contiguous()


def conv_case(d, c):
    """Returns (run, outputs): run() computes the case; outputs(result) is in graft's layout."""
    cid, op = c["id"], c["op"]
    s, dil = c["strides"], c["dilations"]
    pt, pb, pl, pr = c["pads"]
    x = nchw(load(d, cid + ".x.bin", c["x"]))
    w = oihw(load(d, cid + ".w.bin", c["w"]))
    dy = nchw(load(d, cid + ".dy.bin", c["y"]))
    n, cin, h, wd = x.shape
    symmetric = pt == pb and pl == pr
    # PyTorch pads symmetrically; TensorFlow's SAME may put one more row after: then pad x
    # before the timed region (forward, filter gradient) or crop the input gradient.
    pad = (pt, pl) if symmetric else (0, 0)
    xp = x if symmetric else F.pad(x, (pl, pr, pt, pb)).contiguous()
    if op == "conv2d":
        run = lambda: F.conv2d(xp, w, stride=s, padding=pad, dilation=dil)
        return run, lambda r: {"y": nhwc(r)}
    if op == "backpropInput":
        size = (n, cin, h, wd) if symmetric else (n, cin, h + pt + pb, wd + pl + pr)
        run = lambda: torch.nn.grad.conv2d_input(size, w, dy, stride=s, padding=pad, dilation=dil)
        crop = (lambda r: r) if symmetric else (lambda r: r[:, :, pt:pt + h, pl:pl + wd])
        return run, lambda r: {"dx": nhwc(crop(r))}
    run = lambda: torch.nn.grad.conv2d_weight(xp, w.shape, dy, stride=s, padding=pad, dilation=dil)
    return run, lambda r: {"dw": hwio(r)}


class SmallCnn(torch.nn.Module):
    """examples/models/small-cnn.ts: conv5x5 SAME + bias + relu + maxPool 2, twice, dense, softmax CE."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 32, 5, padding=2)
        self.conv2 = torch.nn.Conv2d(32, 64, 5, padding=2)
        self.fc = torch.nn.Linear(3136, 10)

    def forward(self, x, labels):
        h = F.max_pool2d(F.relu(self.conv1(x)), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        logits = self.fc(h.flatten(1))
        return -(labels * F.log_softmax(logits, dim=1)).sum(1).mean()


def train_case(d, c):
    cid, b, lr = c["id"], c["batch"], c["lr"]
    sh = c["shapes"]
    p = {k: load(d, "%s.%s.bin" % (cid, k), sh[k]) for k in ["x", "labels"] + c["params"]}
    net = SmallCnn()
    # graft flattens NHWC [b,7,7,64] in (h, w, c) order; PyTorch flattens NCHW in (c, h, w) order.
    to_fc = lambda wd: wd.reshape(7, 7, 64, 10).permute(2, 0, 1, 3).reshape(3136, 10).t().contiguous()
    from_fc = lambda g: g.t().reshape(64, 7, 7, 10).permute(1, 2, 0, 3).reshape(3136, 10)
    with torch.no_grad():
        net.conv1.weight.copy_(oihw(p["w1"]))
        net.conv1.bias.copy_(p["b1"])
        net.conv2.weight.copy_(oihw(p["w2"]))
        net.conv2.bias.copy_(p["b2"])
        net.fc.weight.copy_(to_fc(p["wd"]))
        net.fc.bias.copy_(p["bd"])
    x = nchw(p["x"])
    labels = p["labels"]
    opt = torch.optim.SGD(net.parameters(), lr=lr)

    def run():
        with torch.enable_grad():
            opt.zero_grad()
            loss = net(x, labels)
            loss.backward()
            grads = {
                "loss": loss.detach().reshape(1),
                "dw1": hwio(net.conv1.weight.grad),
                "db1": net.conv1.bias.grad.clone(),
                "dw2": hwio(net.conv2.weight.grad),
                "db2": net.conv2.bias.grad.clone(),
                "dwd": from_fc(net.fc.weight.grad),
                "dbd": net.fc.bias.grad.clone(),
            }
            opt.step()
            return grads

    return run, lambda r: r


def prepare(d, c):
    return train_case(d, c) if c["op"] == "train" else conv_case(d, c)


def serve():
    """One JSON request per line on stdin, one JSON reply per line on stdout.

    {"cmd": "hello"} -> versions; {"cmd": "prepare", "dir", "case"} -> builds the case (layout
    changes happen here, untimed); {"cmd": "run", "save": bool} -> runs it once and replies the
    run's own wall time in ms (saving the outputs in graft's layout when asked);
    {"cmd": "release"} drops the case.
    """
    current = None
    for line in sys.stdin:
        req = json.loads(line)
        try:
            cmd = req["cmd"]
            if cmd == "hello":
                reply = {"torch": torch.__version__, "python": sys.version.split()[0], "threads": torch.get_num_threads()}
            elif cmd == "prepare":
                run, outputs = prepare(req["dir"], req["case"])
                current = (req["dir"], req["case"]["id"], run, outputs)
                reply = {}
            elif cmd == "run":
                d, cid, run, outputs = current
                t0 = time.perf_counter()
                r = run()
                ms = (time.perf_counter() - t0) * 1e3
                if req.get("save"):
                    for name, t in outputs(r).items():
                        save(d, "%s.torch.%s.bin" % (cid, name), t)
                reply = {"ms": ms}
            elif cmd == "release":
                current = None
                reply = {}
            else:
                raise ValueError("unknown command %r" % cmd)
        except Exception as e:  # reported for this request; the server goes on
            reply = {"error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()

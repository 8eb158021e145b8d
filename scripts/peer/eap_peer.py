"""PyTorch peer for circuitscope's `gpt2-eap` benchmark: edge attribution patching (Syed et al.) over every edge of
a GPT-2-small-shaped model, done the standard PyTorch way, for side-by-side timing in one `circuitscope bench` run.

Setup (Debian packages, as ../shared/peer/torch_peer.py):
  apt-get install -y python3-torch libopenblas0-pthread
Run from the project root (`circuitscope bench gpt2-eap` runs it for you):
  /usr/bin/python3 scripts/peer/eap_peer.py [gpt2-eap]     one JSON line {"workload", "config", "ms", "tokens_per_s", ...}
  /usr/bin/python3 scripts/peer/eap_peer.py --check FILE    scores of the model, prompts and targets in FILE (JSON
                                                            written by test/analysis/discovery/peer.test.ts)

The computation (the same on circuitscope's side, src/cli/bench/gpt2Eap.ts):
- the model: TransformerLens's GPT-2 (LayerNorm, gelu_new, biases), weights N(0, 0.02), LayerNorm weights one;
- the graph: writers `embed`, every head `L{l}H{h}` (its z @ W_O, without b_O), every `mlp{l}`; readers every
  head's q, k and v input, every `mlp{l}` and the `logits`; an edge from every writer to every later reader;
- the task: 8 prompts of 64 tokens, 32 random tokens repeated (clean) against another 32 repeated (corrupted);
- the metric: the logit difference (clean next token minus the corrupted prompt's next token), averaged over the
  31 positions 32..62 of the second copy of every prompt;
- EAP: forward hooks store every writer's output on the corrupted and the clean run; the clean run reads the
  residual stream through one copy per reader (TransformerLens's use_split_qkv_input: each head's q, k and v get
  their own copy of the residual stream before ln1), so one backward pass gives d metric / d input of every
  reader; score[r, w] = sum over batch, position and d_model of (corrupt_w - clean_w) * grad_r for every writer w
  before reader r, as one matmul per layer.
Timing: one warm-up, then the median of REPS runs of the whole thing (both forward passes, the backward, the scores).
"""
import json, math, sys, time
import torch
import torch.nn.functional as F

torch.set_num_threads(2)
REPS = 3


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


class HookPoint(torch.nn.Module):
    """An identity module to hang forward hooks on, as TransformerLens's."""

    def forward(self, x):
        return x


class GPT2(torch.nn.Module):
    """TransformerLens's weight names and shapes (W_Q [h, d_model, d_head], W_O [h, d_head, d_model], ...), with a
    hook point on every writer's output and the q/k/v inputs split per head."""

    def __init__(self, cfg, weights):
        super().__init__()
        self.cfg = cfg
        self.w = weights
        L = cfg["n_layers"]
        self.hook_embed = HookPoint()
        self.hook_result = torch.nn.ModuleList([HookPoint() for _ in range(L)])   # [B, T, H, D] per layer
        self.hook_mlp_out = torch.nn.ModuleList([HookPoint() for _ in range(L)])  # [B, T, D]
        self.hook_qkv_input = torch.nn.ModuleList([HookPoint() for _ in range(L)])  # [3H, B, T, D]
        self.hook_mlp_in = torch.nn.ModuleList([HookPoint() for _ in range(L)])
        self.hook_logits_in = HookPoint()

    def ln(self, x, name):
        return F.layer_norm(x, (self.cfg["d_model"],), self.w[name + ".w"], self.w[name + ".b"], self.cfg["eps"])

    def forward(self, tokens):
        c, w = self.cfg, self.w
        B, T = tokens.shape
        H, E, D = c["n_heads"], c["d_head"], c["d_model"]
        resid = self.hook_embed(w["embed.W_E"][tokens] + w["pos_embed.W_pos"][:T])
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
        for l in range(c["n_layers"]):
            p = f"blocks.{l}"
            x = self.hook_qkv_input[l](resid.unsqueeze(0).expand(3 * H, B, T, D))
            x = self.ln(x, p + ".ln1").view(3, H, B * T, D)
            q, k, v = ((x[i] @ w[f"{p}.attn.W_{n}"] + w[f"{p}.attn.b_{n}"][:, None]).view(H, B, T, E) for i, n in enumerate("QKV"))
            pattern = ((q @ k.transpose(-1, -2)) / math.sqrt(E)).masked_fill(mask, float("-inf")).softmax(-1)
            z = (pattern @ v).view(H, B * T, E)
            result = self.hook_result[l]((z @ w[f"{p}.attn.W_O"]).view(H, B, T, D).permute(1, 2, 0, 3))
            resid = resid + result.sum(2) + w[f"{p}.attn.b_O"]
            if c["d_mlp"]:
                h = self.ln(self.hook_mlp_in[l](resid.clone()), p + ".ln2")  # its own copy, as TransformerLens
                out = self.hook_mlp_out[l](gelu_new(h @ w[f"{p}.mlp.W_in"] + w[f"{p}.mlp.b_in"]) @ w[f"{p}.mlp.W_out"] + w[f"{p}.mlp.b_out"])
                resid = resid + out
        x = self.ln(self.hook_logits_in(resid), "ln_final")
        return x @ w["unembed.W_U"] + w["unembed.b_U"]


def writer_hooks(model, store):
    """Forward hooks that put every writer's output, [B, T, D] each, into `store` in the graph's writer order
    (embed, then per layer the heads and the MLP)."""
    hs = [model.hook_embed.register_forward_hook(lambda m, i, o: store.append(o.detach()))]
    for l in range(model.cfg["n_layers"]):
        hs.append(model.hook_result[l].register_forward_hook(lambda m, i, o: store.extend(o.detach().unbind(2))))
        if model.cfg["d_mlp"]:
            hs.append(model.hook_mlp_out[l].register_forward_hook(lambda m, i, o: store.append(o.detach())))
    return hs


def reader_hooks(model, inputs):
    """Forward hooks that keep every reader group's input (requiring grad) for the backward pass."""
    hs = []
    for l in range(model.cfg["n_layers"]):
        hs.append(model.hook_qkv_input[l].register_forward_hook(lambda m, i, o: inputs.append(o)))
        if model.cfg["d_mlp"]:
            hs.append(model.hook_mlp_in[l].register_forward_hook(lambda m, i, o: inputs.append(o)))
    hs.append(model.hook_logits_in.register_forward_hook(lambda m, i, o: inputs.append(o)))
    return hs


def logit_diff(logits, rows, answer, wrong):
    flat = logits.reshape(-1, logits.shape[-1])[rows]
    return (flat.gather(1, answer[:, None]) - flat.gather(1, wrong[:, None])).mean()


def eap(model, clean, corrupt, rows, answer, wrong):
    """Scores [readers, writers] (0 where there is no edge) and the clean metric."""
    corrupt_out, clean_out, inputs = [], [], []
    hs = writer_hooks(model, corrupt_out)
    with torch.no_grad():
        model(corrupt)
    for h in hs:
        h.remove()
    hs = writer_hooks(model, clean_out) + reader_hooks(model, inputs)
    # The embedding needs no weight gradient: the graph starts at the residual stream.
    embed = model.hook_embed.register_forward_hook(lambda m, i, o: o.detach().requires_grad_())
    value = logit_diff(model(clean), rows, answer, wrong)
    embed.remove()
    for h in hs:
        h.remove()
    grads = torch.autograd.grad(value, inputs)
    nW = len(clean_out)
    delta = (torch.stack(corrupt_out) - torch.stack(clean_out)).reshape(nW, -1)  # [writers, B*T*D]
    N = delta.shape[1]
    scores = torch.zeros(sum(g.numel() // N for g in grads), nW)
    r = 0
    for g, fan in zip(grads, fan_ins(model.cfg)):  # reader groups in order; each reads a prefix of the writers
        count = g.numel() // N
        scores[r:r + count, :fan] = g.reshape(count, N) @ delta[:fan].T
        r += count
    return scores, value.item()


def fan_ins(cfg):
    """How many writers (a prefix of embed, L0H0.., mlp0, L1H0..) feed each reader group, in the graph's order."""
    out, n = [], 1
    for _ in range(cfg["n_layers"]):
        out.append(n)
        n += cfg["n_heads"]
        if cfg["d_mlp"]:
            out.append(n)
            n += 1
    return out + [n]


def targets_tensors(targets, T):
    rows = torch.tensor([t["batch"] * T + t["pos"] for t in targets])
    return rows, torch.tensor([t["answer"] for t in targets]), torch.tensor([t["wrong"] for t in targets])


def gpt2_eap():
    cfg = dict(n_layers=12, d_model=768, n_heads=12, d_head=64, d_mlp=3072, d_vocab=50257, n_ctx=1024, eps=1e-5)
    torch.manual_seed(0)
    L, D, H, E, M, V = (cfg[k] for k in ("n_layers", "d_model", "n_heads", "d_head", "d_mlp", "d_vocab"))
    r = lambda *s: torch.randn(*s) * 0.02
    w = {"embed.W_E": r(V, D), "pos_embed.W_pos": r(cfg["n_ctx"], D), "unembed.W_U": r(D, V), "unembed.b_U": torch.zeros(V),
         "ln_final.w": torch.ones(D), "ln_final.b": torch.zeros(D)}
    for l in range(L):
        p = f"blocks.{l}"
        for n in "QKV":
            w[f"{p}.attn.W_{n}"], w[f"{p}.attn.b_{n}"] = r(H, D, E), torch.zeros(H, E)
        w[f"{p}.attn.W_O"], w[f"{p}.attn.b_O"] = r(H, E, D), torch.zeros(D)
        w[f"{p}.mlp.W_in"], w[f"{p}.mlp.b_in"], w[f"{p}.mlp.W_out"], w[f"{p}.mlp.b_out"] = r(D, M), torch.zeros(M), r(M, D), torch.zeros(D)
        for n in ("ln1", "ln2"):
            w[f"{p}.{n}.w"], w[f"{p}.{n}.b"] = torch.ones(D), torch.zeros(D)
    model = GPT2(cfg, w)
    B, half = 8, 32
    a, b = torch.randint(0, V, (B, half)), torch.randint(0, V, (B, half))
    clean, corrupt = torch.cat([a, a], 1), torch.cat([b, b], 1)
    T = 2 * half
    targets = [dict(batch=i, pos=p, answer=int(clean[i, p + 1]), wrong=int(corrupt[i, p + 1])) for i in range(B) for p in range(half, T - 1)]
    rows, answer, wrong = targets_tensors(targets, T)
    times, edges = [], 0
    for rep in range(REPS + 1):
        t = time.perf_counter()
        scores, _ = eap(model, clean, corrupt, rows, answer, wrong)
        if rep > 0:
            times.append(time.perf_counter() - t)
        edges = int((scores != 0).sum())
    ms = sorted(times)[len(times) // 2] * 1e3
    return dict(workload="gpt2-eap", config="GPT-2 small shapes, EAP over every edge, batch 8x64, logit diff",
                ms=ms, tokens_per_s=B * T / (ms / 1e3), edges=edges)


def check(path):
    """EAP on the config, weights (flat float lists by TransformerLens name), prompts and targets in a JSON file."""
    with open(path) as f:
        spec = json.load(f)
    cfg = spec["cfg"]
    w = {k: torch.tensor(v["data"], dtype=torch.float32).reshape(v["shape"]) for k, v in spec["weights"].items()}
    model = GPT2(cfg, w)
    clean, corrupt = torch.tensor(spec["clean"]), torch.tensor(spec["corrupt"])
    rows, answer, wrong = targets_tensors(spec["targets"], clean.shape[1])
    scores, value = eap(model, clean, corrupt, rows, answer, wrong)
    return dict(scores=scores.tolist(), value=value, fan_in=fan_ins(cfg))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--check"]:
        print(json.dumps(check(sys.argv[2])), flush=True)
        sys.exit(0)
    work = {"gpt2-eap": gpt2_eap}
    for name in sys.argv[1:] or list(work):
        if name not in work:
            sys.exit(f"eap_peer.py: unknown workload {name} (expected one of {', '.join(work)})")
        print(json.dumps(work[name]()), flush=True)

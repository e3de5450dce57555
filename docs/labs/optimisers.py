# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Five optimisers, one start
#
# A hands-on companion to the chapter
# [Fitting: a non-convex problem](../../chapters/fitting/).
# In this lab you fit one small network to one data set five times, from the very
# same initial weights and with the same mini-batches, changing only the optimiser:
# plain SGD, SGD with momentum, with Nesterov momentum, Adam, and Adam with weight
# decay. You compare their loss curves on one plot, their final loss and accuracy in
# one table, and the decision boundaries they end with.

# %% [markdown]
# ## The problem
#
# Two interleaving half moons in the plane, with noise: 200 points to train on and
# 200 more, drawn with another seed, to test on. The network has two hidden layers
# of 16 tanh units and two outputs, one score per class, for `F.cross_entropy`.

# %%
import numpy as np
import matplotlib.pyplot as plt

import nnbook as nb
from nnbook import functional as F, nn, optim
from nnbook.data import make_moons
from nnbook.train import accuracy, evaluate, fit

X, y = make_moons(200, noise=0.2, rng=0)
X_test, y_test = make_moons(200, noise=0.2, rng=1)


def network(rng=None):
    return nn.Sequential(nn.Linear(2, 16, rng=rng), nn.Tanh(),
                         nn.Linear(16, 16, rng=rng), nn.Tanh(),
                         nn.Linear(16, 2, rng=rng))


nb.seed(0)   # the default generator, for the networks made without an rng below
print(network())
print("parameters:", nb.count_params(network()))

# %% [markdown]
# ## One start for all
#
# `state_dict()` copies every parameter's values, keyed by name (`"0.weight"`,
# `"0.bias"`, …); `load_state_dict` writes them into another network of the same
# shape. So every optimiser starts from exactly the same point.

# %%
initial = network(rng=0).state_dict()
a, b = network(), network()
a.load_state_dict(initial)
b.load_state_dict(initial)
print("same start:", all(np.array_equal(p.data, q.data)
                         for p, q in zip(a.parameters(), b.parameters())))

# %% [markdown]
# ## The optimisers
#
# Momentum $\mu = 0.9$ adds up past gradients, so that on a steady slope its steps
# grow to $1/(1 - \mu) = 10$ times `lr`: the momentum methods get a tenth of plain
# SGD's learning rate, the same long-run step. Adam divides each step by a running
# estimate of the gradient's size, so its `lr` is close to the size of its steps.
# `weight_decay` adds $\lambda\theta$ to each gradient, the gradient of the penalty
# $\tfrac{\lambda}{2}\lVert\theta\rVert^2$.

# %%
settings = {
    "SGD": lambda p: optim.SGD(p, lr=0.3),
    "momentum": lambda p: optim.SGD(p, lr=0.03, momentum=0.9),
    "Nesterov": lambda p: optim.SGD(p, lr=0.03, momentum=0.9, nesterov=True),
    "Adam": lambda p: optim.Adam(p, lr=0.01),
    "Adam, decay": lambda p: optim.Adam(p, lr=0.01, weight_decay=0.01),
}
models, histories = {}, {}
for name, make in settings.items():
    model = network()
    model.load_state_dict(initial)
    histories[name] = fit(model, F.cross_entropy, make(model.parameters()), X, y,
                          epochs=100, batch_size=25, rng=0)   # rng=0: the same batches
    models[name] = model

# %% [markdown]
# ## Loss curves

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.8))
for name, h in histories.items():
    ax.plot(np.arange(1, h.epochs + 1), h.loss, label=name,
            ls="--" if name == "Nesterov" else "-")
ax.set_xlabel("epoch (8 steps each)")
ax.set_ylabel("mean training loss")
ax.set_yscale("log")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# <!-- alt: Mean training cross-entropy per epoch over 100 epochs, on a logarithmic scale, for plain SGD, momentum, Nesterov momentum, Adam and Adam with weight decay, all from the same start. All five fall from about 0.6 to a plateau near 0.3 within five epochs. Adam leaves the plateau first, after about 15 epochs, and falls to about 0.06; SGD, momentum and Nesterov (dashed) leave it together after about 30 epochs and reach 0.05 to 0.1, SGD the noisiest; Adam with weight decay leaves it last and levels off near 0.1. -->
# Every run first drops to a plateau near 0.3, where the boundary is still close to a
# straight line, and stays there for a while: the gradient is small on a plateau,
# and so are the steps of SGD. Adam, whose steps do not shrink with the gradient,
# leaves it first. SGD, momentum and Nesterov (dashed), with the same long-run step,
# follow nearly the same path; momentum's average over several mini-batches shows at
# the end, where plain SGD's curve is the noisiest. Adam with weight decay levels
# off highest: the penalty keeps pulling the weights towards zero, and the optimiser
# settles where that pull and the loss's gradient balance.
#
# ## The table

# %%
print(f"{'optimiser':13}{'final loss':>11}{'train acc':>11}{'test acc':>10}{'|theta|':>9}")
for name, model in models.items():
    norm = np.sqrt(sum(float((p.data ** 2).sum()) for p in model.parameters()))
    print(f"{name:13}{histories[name].final_loss:>11.3f}"
          f"{evaluate(model, X, y, accuracy):>11.3f}"
          f"{evaluate(model, X_test, y_test, accuracy):>10.3f}{norm:>9.2f}")

# %% [markdown]
# The last column is the length of the whole parameter vector: weight decay keeps
# it shortest. A lower training loss is not the same as a better test accuracy; on
# 200 noisy points, a few examples more or less on the right side decide the
# difference.
#
# ## Where each one draws the boundary

# %%
grid = np.linspace(-2.0, 3.0, 121)
g1, g2 = np.meshgrid(grid, np.linspace(-1.5, 2.0, 85))
points = np.column_stack([g1.ravel(), g2.ravel()])
fig, axes = plt.subplots(1, len(models), figsize=(13, 2.8), sharey=True)
for ax, (name, model) in zip(axes, models.items()):
    with nb.no_grad():
        p1 = F.softmax(model(points)).data[:, 1].reshape(g1.shape)
    ax.contourf(g1, g2, p1, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35)
    ax.contour(g1, g2, p1, levels=[0.5], colors="k", linewidths=1)
    ax.scatter(X[:, 0], X[:, 1], c=np.where(y == 1, "firebrick", "navy"), s=5)
    ax.set_title(name, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
plt.show()

# %% [markdown]
# <!-- alt: Five panels, one per optimiser, each showing the 200 training points of the two moons, class 0 in dark blue and class 1 in dark red, over a background shaded from blue to red by the network's probability of class 1, with a black curve where that probability is one half. All five curves wind between the moons in much the same way; in the panel of Adam with weight decay the shading changes from blue to red more gradually. -->
# The shading is the network's probability of class 1, in steps of 0.1, and the black
# curve the decision boundary, where it is one half. All five boundaries wind between
# the moons in much the same way: different paths, nearly the same place. Weight
# decay shows in the shading: with shorter weights the scores are smaller, and the
# network passes from sure to unsure over a wider band.
#
# ## Try this
#
# * Give plain SGD the momentum methods' `lr=0.03`, or give momentum plain SGD's
#   `lr=0.3`. How much of what momentum does here is simply a longer step?
# * Raise the learning rates tenfold, one optimiser at a time. Which diverges first
#   (`fit` stops with an error that names the epoch), and which only gets noisier?
# * Set `batch_size=None` in `fit`: full-batch gradient descent, one step an epoch.
#   Give it 800 epochs so that it takes as many steps, and compare.
# * Try `weight_decay` of 0.001 and 0.1. What happens to the length of the
#   parameter vector, and to the boundary?
# * Start from another initial point, `network(rng=1).state_dict()`. Do the
#   optimisers keep their order?
# * Put `optim.StepLR(opt, step_size=25, gamma=0.5)` to work on plain SGD: call
#   `fit(..., epochs=1, rng=batches)` in a loop of 100 epochs, with one generator
#   `batches = np.random.default_rng(0)` for all of them, and the schedule's
#   `step()` after each. Does plain SGD's noisy end calm down?

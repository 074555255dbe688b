"""torch.optim.lr_scheduler's classes (PyTorch 1.13) on a gdescent.Optimizer.

    import gdescent
    from gdescent.lr_scheduler import CosineAnnealingLR
    opt = gdescent.Optimizer("sgd", n, lr=0.1, momentum=0.9)
    scheduler = CosineAnnealingLR(opt, T_max=100)
    for epoch in range(100):
        ...  # opt.update(x, grad) for every batch
        scheduler.step()

Each class takes torch's arguments and is built on Optimizer.add_schedule: the C
library computes the rates, bit for bit torch's.  Constructing a scheduler adds its
schedule to the optimizer and applies epoch 0, as torch's constructor does.

The library steps all the schedules of an optimizer together
(gd_optimizer_schedule_step).  Here the schedulers constructed on one optimizer take
turns: each step() marks its scheduler stepped, and when every scheduler of the
optimizer has been stepped once (a "round"), the optimizer steps its schedules, in
the order they were constructed.  A torch script that calls each scheduler's step()
once per epoch, in the order it constructed them, gets torch's rates.  Restrictions:

* stepping a scheduler twice before the others have been stepped raises
  RuntimeError (torch would step it alone);
* the rates change when the round completes, so get_last_lr() of a scheduler stepped
  before the last one of the round gives the rates after the whole round (torch's
  get_last_lr() of the last scheduler);
* SequentialLR and ChainedScheduler take schedulers constructed on the same optimizer,
  as torch's do, which must not have been stepped: from then on they are parts of the
  SequentialLR or ChainedScheduler (their own step() raises RuntimeError).  A
  SequentialLR rebuilds the optimizer's schedules from the state the optimizer had
  before its first scheduler was constructed, so it must be constructed before any
  update or schedule step (as torch scripts do), and set()/set_range() calls made
  after the first scheduler was constructed are undone by it (as torch's, it sets
  the rates back to initial_lr before its first child's epoch 0);
* per-group lists of values (max_lr=[...], lr_lambda=[...]) are not taken: set the
  groups' base rates with Optimizer.set_range, and each schedule acts on each group
  from its own base rate; CyclicLR's scale_fn is not taken; last_epoch must be -1
  (resume with pickle, or state_dict() of the optimizer and of the schedulers), and
  step() takes no epoch.

The groups (torch's param_groups) are Optimizer.groups(): the ranges that the
optimizer's set_range calls made.  get_last_lr() has one rate per group, read at the
group's first element.  Schedulers pickle with their optimizer: pickle them together
(pickle.dumps((optimizer, scheduler))).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, SupportsFloat

from . import GDError, Optimizer

__all__ = [
    "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts", "LinearLR", "ConstantLR", "PolynomialLR",
    "OneCycleLR", "CyclicLR", "ReduceLROnPlateau", "LambdaLR", "MultiplicativeLR",
    "SequentialLR", "ChainedScheduler",
]

LambdaFn = Callable[[int], SupportsFloat]


def _scalar(value: object, name: str) -> object:
    """A per-group list of values is refused (one value for every group)."""
    if isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be one number for every group, not a list "
                        "(set the groups' base rates with Optimizer.set_range)")
    return value


class _Round:
    """The schedulers constructed on one optimizer: the top-level ones in construction
    order (members), which of them have been stepped in the current round, and the
    optimizer's state before the first of them, from which SequentialLR rebuilds."""

    def __init__(self, optimizer: Optimizer) -> None:
        self.optimizer = optimizer
        self.members: List[LRScheduler] = []
        self.metric: Optional[float] = None
        self.rounds = 0
        self.snapshot = optimizer.state_dict()
        self.iterations = optimizer.iterations
        self.initial_lrs = [float(optimizer.get_range(first, "lr"))
                            for first, _ in optimizer.groups()]

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.optimizer._lr_round = self

    @staticmethod
    def of(optimizer: Optimizer) -> _Round:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"optimizer must be a gdescent.Optimizer, not "
                            f"{type(optimizer).__name__}")
        found = optimizer._lr_round
        if isinstance(found, _Round):
            return found
        made = _Round(optimizer)
        optimizer._lr_round = made
        return made

    def in_progress(self) -> bool:
        return any(member._stepped for member in self.members)

    def rates(self) -> List[float]:
        return [float(self.optimizer.get_range(first, "lr"))
                for first, _ in self.optimizer.groups()]

    def add(self, member: LRScheduler) -> None:
        if self.in_progress():
            raise RuntimeError("a scheduler cannot be constructed while the schedulers of "
                               "its optimizer are part way through a round of step() "
                               "calls: construct it after the last of them was stepped")
        for description in member._descriptions():
            self.optimizer.add_schedule(**description)
        self.members.append(member)

    def step(self, member: LRScheduler, metric: Optional[float]) -> None:
        if member._stepped:
            raise RuntimeError(
                f"{type(member).__name__}.step() called twice in one round: the schedulers "
                "of one optimizer step together, so step each of them once, in turn "
                "(the library steps all of an optimizer's schedules at once)")
        if metric is not None:
            if self.metric is not None and metric != self.metric:
                raise ValueError("two schedulers of one optimizer were given different "
                                 "metrics in one round")
            self.metric = metric
        member._stepped = True
        member.last_epoch += 1
        if not all(m._stepped for m in self.members):
            return
        try:
            self.optimizer.schedule_step(self.metric)
        except BaseException:
            # Nothing stepped: the round is undone, and may be made again.
            for m in self.members:
                if m._stepped:
                    m.last_epoch -= 1
                    m._stepped = False
            self.metric = None
            raise
        self.rounds += 1
        self.metric = None
        rates = self.rates()
        for m in self.members:
            m._stepped = False
            m._set_last_lr(rates)

    def rebuild(self, removed: Sequence[LRScheduler], added: LRScheduler) -> None:
        """The optimizer as before the first scheduler, then the members other than
        removed, in order, and added."""
        if self.rounds or self.in_progress():
            raise RuntimeError(f"{type(added).__name__} must be constructed before any "
                               "scheduler of its optimizer is stepped")
        if self.optimizer.iterations != self.iterations:
            raise RuntimeError(f"{type(added).__name__} must be constructed before the "
                               "optimizer's first update after its first scheduler")
        self.optimizer.clear_schedules()
        try:
            self.optimizer.load_state_dict(self.snapshot)
        except GDError as exc:
            raise RuntimeError(f"{type(added).__name__} cannot rebuild the schedules: the "
                               "optimizer had lambda schedules from add_schedule() before "
                               "its first scheduler") from exc
        self.members = [m for m in self.members if all(m is not r for r in removed)]
        kept, self.members = self.members, []
        for member in kept:
            self.add(member)
        self.add(added)


class LRScheduler:
    """What every scheduler of this module has: optimizer, last_epoch (the number of
    steps, 0 after construction), base_lrs (each group's rate before the optimizer's
    first scheduler: torch's initial_lr), step(), get_last_lr(), state_dict() and
    load_state_dict()."""

    _kind = ""

    def __init__(self, optimizer: Optimizer, options: Optional[Dict[str, Any]] = None,
                 last_epoch: int = -1, verbose: bool = False,
                 add: bool = True) -> None:
        if last_epoch != -1:
            raise ValueError("only last_epoch=-1 (a new schedule) is taken; to resume, "
                             "pickle the optimizer with its schedulers, or load their "
                             "state_dict()s")
        self._round = _Round.of(optimizer)
        self.optimizer = optimizer
        self._options: Dict[str, Any] = {k: v for k, v in (options or {}).items()
                                         if v is not None or k == "step_size_down"}
        self.last_epoch = 0
        self.verbose = verbose
        self._stepped = False
        self._owner: Optional[LRScheduler] = None
        self.base_lrs = list(self._round.initial_lrs)
        if add:
            self._round.add(self)
        self._last_lr = self._round.rates()

    def _descriptions(self) -> List[Dict[str, Any]]:
        """The add_schedule() arguments of this scheduler's schedules."""
        return [{"kind": self._kind, **self._options}]

    def _set_last_lr(self, rates: List[float]) -> None:
        self._last_lr = list(rates)

    def _check_metrics(self, metrics: Optional[SupportsFloat]) -> Optional[float]:
        if metrics is not None:
            raise TypeError(f"{type(self).__name__}.step() takes no argument (torch's "
                            "deprecated epoch argument is not supported)")
        return None

    def step(self, metrics: Optional[SupportsFloat] = None) -> None:
        """One scheduler.step(): the optimizer steps its schedules once every scheduler
        constructed on it has been stepped (see the module's documentation)."""
        if self._owner is not None:
            raise RuntimeError(f"this {type(self).__name__} is part of a "
                               f"{type(self._owner).__name__}: step that instead")
        self._round.step(self, self._check_metrics(metrics))

    def get_last_lr(self) -> List[float]:
        """The rate of every group (Optimizer.groups()) after the last round of steps
        (after construction: the rates then)."""
        return list(self._last_lr)

    def state_dict(self) -> Dict[str, Any]:
        """This scheduler's position as torch's state_dict() holds it (last_epoch,
        _last_lr, base_lrs); the schedule itself is in the optimizer's state_dict()."""
        return {"last_epoch": self.last_epoch, "_last_lr": list(self._last_lr),
                "base_lrs": list(self.base_lrs), "_stepped": self._stepped}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        self.last_epoch = int(state_dict["last_epoch"])
        self._last_lr = [float(v) for v in state_dict["_last_lr"]]
        self.base_lrs = [float(v) for v in state_dict["base_lrs"]]
        self._stepped = bool(state_dict.get("_stepped", False))


class StepLR(LRScheduler):
    """torch.optim.lr_scheduler.StepLR."""
    _kind = "step"

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1, verbose: bool = False) -> None:
        super().__init__(optimizer, {"step_size": step_size, "gamma": gamma},
                         last_epoch, verbose)


class MultiStepLR(LRScheduler):
    """torch.optim.lr_scheduler.MultiStepLR."""
    _kind = "multistep"

    def __init__(self, optimizer: Optimizer, milestones: Sequence[int],
                 gamma: float = 0.1, last_epoch: int = -1, verbose: bool = False) -> None:
        super().__init__(optimizer, {"milestones": sorted(milestones), "gamma": gamma},
                         last_epoch, verbose)


class ExponentialLR(LRScheduler):
    """torch.optim.lr_scheduler.ExponentialLR."""
    _kind = "exponential"

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1,
                 verbose: bool = False) -> None:
        super().__init__(optimizer, {"gamma": gamma}, last_epoch, verbose)


class CosineAnnealingLR(LRScheduler):
    """torch.optim.lr_scheduler.CosineAnnealingLR."""
    _kind = "cosine"

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0,
                 last_epoch: int = -1, verbose: bool = False) -> None:
        super().__init__(optimizer, {"T_max": T_max, "eta_min": eta_min}, last_epoch,
                         verbose)


class CosineAnnealingWarmRestarts(LRScheduler):
    """torch.optim.lr_scheduler.CosineAnnealingWarmRestarts (step() without epoch)."""
    _kind = "cosine_restarts"

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1,
                 eta_min: float = 0, last_epoch: int = -1, verbose: bool = False) -> None:
        super().__init__(optimizer, {"T_0": T_0, "T_mult": T_mult, "eta_min": eta_min},
                         last_epoch, verbose)


class LinearLR(LRScheduler):
    """torch.optim.lr_scheduler.LinearLR."""
    _kind = "linear"

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1,
                 verbose: bool = False) -> None:
        super().__init__(optimizer, {"start_factor": start_factor,
                                     "end_factor": end_factor,
                                     "total_iters": total_iters}, last_epoch, verbose)


class ConstantLR(LRScheduler):
    """torch.optim.lr_scheduler.ConstantLR."""
    _kind = "constant"

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3,
                 total_iters: int = 5, last_epoch: int = -1, verbose: bool = False) -> None:
        super().__init__(optimizer, {"factor": factor, "total_iters": total_iters},
                         last_epoch, verbose)


class PolynomialLR(LRScheduler):
    """torch.optim.lr_scheduler.PolynomialLR."""
    _kind = "polynomial"

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1, verbose: bool = False) -> None:
        super().__init__(optimizer, {"total_iters": total_iters, "power": power},
                         last_epoch, verbose)


class OneCycleLR(LRScheduler):
    """torch.optim.lr_scheduler.OneCycleLR (one max_lr for every group)."""
    _kind = "one_cycle"

    def __init__(self, optimizer: Optimizer, max_lr: float,
                 total_steps: Optional[int] = None, epochs: Optional[int] = None,
                 steps_per_epoch: Optional[int] = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float = 0.85, max_momentum: float = 0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4,
                 three_phase: bool = False, last_epoch: int = -1,
                 verbose: bool = False) -> None:
        if total_steps is None and (epochs is None or steps_per_epoch is None):
            raise ValueError("You must define either total_steps OR (epochs AND "
                             "steps_per_epoch)")
        if total_steps is not None:
            epochs = steps_per_epoch = None
        super().__init__(optimizer, {
            "max_lr": _scalar(max_lr, "max_lr"), "total_steps": total_steps,
            "epochs": epochs, "steps_per_epoch": steps_per_epoch, "pct_start": pct_start,
            "anneal_strategy": anneal_strategy, "cycle_momentum": cycle_momentum,
            "base_momentum": _scalar(base_momentum, "base_momentum"),
            "max_momentum": _scalar(max_momentum, "max_momentum"),
            "div_factor": div_factor, "final_div_factor": final_div_factor,
            "three_phase": three_phase}, last_epoch, verbose)


class CyclicLR(LRScheduler):
    """torch.optim.lr_scheduler.CyclicLR (one base_lr and max_lr for every group; no
    scale_fn)."""
    _kind = "cyclic"

    def __init__(self, optimizer: Optimizer, base_lr: float, max_lr: float,
                 step_size_up: int = 2000, step_size_down: Optional[int] = None,
                 mode: str = "triangular", gamma: float = 1.0,
                 scale_fn: Optional[Callable[[float], float]] = None,
                 scale_mode: str = "cycle", cycle_momentum: bool = True,
                 base_momentum: float = 0.8, max_momentum: float = 0.9,
                 last_epoch: int = -1, verbose: bool = False) -> None:
        if scale_fn is not None:
            raise TypeError("CyclicLR's scale_fn is not taken: use mode= (triangular, "
                            "triangular2, exp_range)")
        super().__init__(optimizer, {
            "base_lr": _scalar(base_lr, "base_lr"), "max_lr": _scalar(max_lr, "max_lr"),
            "step_size_up": step_size_up, "step_size_down": step_size_down, "mode": mode,
            "gamma": gamma, "cycle_momentum": cycle_momentum,
            "base_momentum": _scalar(base_momentum, "base_momentum"),
            "max_momentum": _scalar(max_momentum, "max_momentum")}, last_epoch, verbose)


class ReduceLROnPlateau(LRScheduler):
    """torch.optim.lr_scheduler.ReduceLROnPlateau: step(metrics) judges metrics (None
    counts as no improvement)."""
    _kind = "plateau"

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: float = 0, eps: float = 1e-8,
                 verbose: bool = False) -> None:
        super().__init__(optimizer, {
            "mode": mode, "factor": factor, "patience": patience, "threshold": threshold,
            "threshold_mode": threshold_mode, "cooldown": cooldown,
            "min_lr": _scalar(min_lr, "min_lr"), "eps": eps}, -1, verbose)

    def _check_metrics(self, metrics: Optional[SupportsFloat]) -> Optional[float]:
        return None if metrics is None else float(metrics)


class LambdaLR(LRScheduler):
    """torch.optim.lr_scheduler.LambdaLR (one lr_lambda for every group)."""
    _kind = "lambda"

    def __init__(self, optimizer: Optimizer, lr_lambda: LambdaFn, last_epoch: int = -1,
                 verbose: bool = False) -> None:
        super().__init__(optimizer, {"lr_lambda": _scalar(lr_lambda, "lr_lambda")},
                         last_epoch, verbose)


class MultiplicativeLR(LRScheduler):
    """torch.optim.lr_scheduler.MultiplicativeLR (one lr_lambda for every group)."""
    _kind = "multiplicative"

    def __init__(self, optimizer: Optimizer, lr_lambda: LambdaFn, last_epoch: int = -1,
                 verbose: bool = False) -> None:
        super().__init__(optimizer, {"lr_lambda": _scalar(lr_lambda, "lr_lambda")},
                         last_epoch, verbose)


def _take(owner: LRScheduler, optimizer: Optimizer,
          schedulers: Sequence[LRScheduler]) -> List[LRScheduler]:
    """The schedulers a SequentialLR or ChainedScheduler takes: unstepped top-level
    schedulers of optimizer."""
    name = type(owner).__name__
    taken = list(schedulers)
    if not taken:
        raise ValueError(f"{name} needs at least one scheduler")
    for index, scheduler in enumerate(taken):
        if not isinstance(scheduler, LRScheduler):
            raise TypeError(f"{name} takes gdescent.lr_scheduler schedulers, not "
                            f"{type(scheduler).__name__} (at index {index})")
        if scheduler.optimizer is not optimizer:
            raise ValueError(f"{name} expects all schedulers to belong to the same "
                             f"optimizer, but got schedulers at index {index} to be "
                             "different than the optimizer passed in.")
        if scheduler._owner is not None:
            raise ValueError(f"the scheduler at index {index} is already part of a "
                             f"{type(scheduler._owner).__name__}")
        if scheduler.last_epoch != 0 or scheduler._stepped:
            raise ValueError(f"the scheduler at index {index} has been stepped: {name} "
                             "takes schedulers that have not been")
        if any(scheduler is other for other in taken[:index]):
            raise ValueError(f"the scheduler at index {index} is given twice")
    return taken


class SequentialLR(LRScheduler):
    """torch.optim.lr_scheduler.SequentialLR: schedulers constructed on optimizer (and
    not stepped), child k acting from milestones[k-1] on; no ReduceLROnPlateau,
    SequentialLR or ChainedScheduler among them."""
    _kind = "sequential"

    def __init__(self, optimizer: Optimizer, schedulers: Sequence[LRScheduler],
                 milestones: Sequence[int], last_epoch: int = -1,
                 verbose: bool = False) -> None:
        self.optimizer = optimizer
        taken = _take(self, optimizer, schedulers)
        if len(milestones) != len(taken) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one "
                "more than the number of milestone points, but got number of schedulers "
                f"{len(taken)} and the number of milestones to be equal to "
                f"{len(milestones)}")
        for scheduler in taken:
            if type(scheduler)._kind in ("plateau", "sequential", ""):
                raise TypeError(f"SequentialLR cannot take a {type(scheduler).__name__}")
        self._schedulers = taken
        self._milestones = list(milestones)
        super().__init__(optimizer, None, last_epoch, verbose, add=False)
        self._round.rebuild(taken, self)
        for scheduler in taken:
            scheduler._owner = self
        self._last_lr = self._round.rates()

    def _descriptions(self) -> List[Dict[str, Any]]:
        children = [{"kind": type(s)._kind, **s._options} for s in self._schedulers]
        return [{"kind": "sequential", "milestones": self._milestones,
                 "children": children}]


class ChainedScheduler(LRScheduler):
    """torch.optim.lr_scheduler.ChainedScheduler: schedulers constructed on one
    optimizer (and not stepped), in the order they were constructed; step() steps
    each."""

    def __init__(self, schedulers: Sequence[LRScheduler]) -> None:
        if not schedulers:
            raise ValueError("ChainedScheduler needs at least one scheduler")
        optimizer = schedulers[0].optimizer
        self.optimizer = optimizer
        taken = _take(self, optimizer, schedulers)
        round_ = _Round.of(optimizer)
        if round_.in_progress():
            raise RuntimeError("ChainedScheduler cannot be constructed part way through "
                               "a round of step() calls")
        places = [next(i for i, m in enumerate(round_.members) if m is s) for s in taken]
        if places != sorted(places):
            raise ValueError("ChainedScheduler takes its schedulers in the order they were "
                             "constructed (the library steps them in that order)")
        self._schedulers = taken
        super().__init__(optimizer, None, -1, False, add=False)
        # The schedules stay in the optimizer; the chain takes its children's place
        # among the schedulers that step in turn.
        members = round_.members
        first = places[0]
        round_.members = [m for m in members[:first]] + [self] + [
            m for m in members[first:] if all(m is not s for s in taken)]
        for scheduler in taken:
            scheduler._owner = self

    def _descriptions(self) -> List[Dict[str, Any]]:
        return [d for s in self._schedulers for d in s._descriptions()]

    def _set_last_lr(self, rates: List[float]) -> None:
        self._last_lr = list(rates)
        for scheduler in self._schedulers:
            scheduler._set_last_lr(rates)

    def step(self, metrics: Optional[SupportsFloat] = None) -> None:
        """Steps every scheduler of the chain (one step of their schedules)."""
        super().step(metrics)
        for scheduler in self._schedulers:
            scheduler.last_epoch += 1


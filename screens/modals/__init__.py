"""Every dialog of the terminal UI, one module each (the experiment log's three share one);
`form.py` is their base and `form.tcss` their look.

Importers name the dialog from here: `from mlpl_tui.screens.modals import DecisionModal`.
"""

from mlpl_tui.screens.modals.advance import AdvanceModal
from mlpl_tui.screens.modals.decision import DecisionModal
from mlpl_tui.screens.modals.effort import EffortModal
from mlpl_tui.screens.modals.experiment import (
    AbandonModal,
    ExperimentTimeModal,
    NewExperimentModal,
)
from mlpl_tui.screens.modals.form import FormModal
from mlpl_tui.screens.modals.loop_back import LoopBackModal
from mlpl_tui.screens.modals.question import QuestionModal
from mlpl_tui.screens.modals.status import StatusModal

__all__ = [
    "AbandonModal",
    "AdvanceModal",
    "DecisionModal",
    "EffortModal",
    "ExperimentTimeModal",
    "FormModal",
    "LoopBackModal",
    "NewExperimentModal",
    "QuestionModal",
    "StatusModal",
]

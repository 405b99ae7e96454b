"""Play prompt (MessageParticipant), per channel as the Administrator Guide documents it
("Supported channels for flow blocks", "Flow block: Play prompt"): voice speaks it (time
passes: words at a pace plus SSML `<break>`s, a recorded prompt its given length); chat
sends a message (no time passes; only `Text` is supported on chat, SSML and prompts take
the error branch); a task "takes the Okay branch but it has no effect"."""

from __future__ import annotations

from ..model import Action
from ..result import PromptRecord
from ..runner import Outcome, Runner
from ..speech import speech_seconds, ssml_to_text


def run_message_participant(sim: Runner, action: Action) -> Outcome:
    # A Play prompt breaks a chain of Lambda calls (runner.MAX_LAMBDA_CHAIN_SECONDS). The
    # documentation names the block, not a channel, so it does so on every channel, a
    # task's "no effect" prompt included.
    sim.lambda_chain_seconds = 0.0
    if sim.channel == "TASK":
        text = sim.render(str(action.parameters.get("Text", "")))
        at = sim.clock.elapsed()
        sim.say("SKIP", action.identifier, f"(no effect on a task) {text}")
        sim.result.prompts.append(PromptRecord(action.identifier, at, text, 0.0, False))
        return sim.go_next(action)
    if sim.channel != "VOICE":
        if "Text" not in action.parameters:
            return sim.go_error(
                action, "NoMatchingError", f"only Text can be sent on {sim.channel}"
            )
        text = sim.render(str(action.parameters["Text"]))
        at = sim.clock.elapsed()
        sim.say("SEND", action.identifier, text)
        sim.result.prompts.append(PromptRecord(action.identifier, at, text, 0.0))
        return sim.go_next(action)
    text, seconds = spoken(sim, action)
    at = sim.clock.elapsed()
    sim.say("SAY", action.identifier, f"{text}  ({seconds:.1f} s)")
    sim.result.prompts.append(PromptRecord(action.identifier, at, text, seconds))
    sim.clock.pass_time(seconds)
    return sim.go_next(action)


def spoken(sim: Runner, action: Action) -> tuple[str, float]:
    """The text a voice prompt says and how long saying it takes."""
    parameters = action.parameters
    options = sim.options
    if "Text" in parameters:
        text = sim.render(str(parameters["Text"]))
        return text, speech_seconds(text, words_per_minute=options.words_per_minute)
    if "SSML" in parameters:
        ssml = sim.render(str(parameters["SSML"]))
        seconds = speech_seconds(ssml, words_per_minute=options.words_per_minute, ssml=True)
        return ssml_to_text(ssml), seconds
    source = parameters.get("PromptId") or (parameters.get("Media") or {}).get("Uri", "")
    name = sim.value_of(source)
    return (
        f"<recorded prompt {name}>",
        options.prompt_seconds.get(name, options.default_prompt_seconds),
    )


RUNNERS = {"MessageParticipant": run_message_participant}

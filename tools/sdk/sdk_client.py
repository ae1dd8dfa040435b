"""Drives the gateway with the official openai and anthropic SDKs, for the integration tests
(crates/server/tests/it/sdk.rs).

    GATEWAY_URL=http://127.0.0.1:PORT GATEWAY_TOKEN=... MODEL=provider/model \
        python sdk_client.py SCENARIO [SCENARIO ...]

Prints ONE JSON object on stdout: for one scenario, what it saw; for several, an object with
each scenario's result under its name (run in the order given). A scenario that raises is
reported as {"exception": class name, "message": ...} and the others still run.

A result holds what the test checks, among:
  text      the final answer's text
  finish    the final answer's finish / stop reason
  model     the model the final answer names
  usage     [[input, output], ...] as the SDK read it, one pair per request, in order
  tool_call {"id", "name", "arguments"} of the first answer (tool scenarios), with
  tool_finish its finish / stop reason
  streamed  the text as it arrived in deltas (streams), events: how many chunks/events came
  models    the model ids listed; error: {"class", "status"} of the SDK's exception
"""

import json
import os
import sys

URL = os.environ["GATEWAY_URL"].rstrip("/")
TOKEN = os.environ["GATEWAY_TOKEN"]
MODEL = os.environ.get("MODEL", "")
TIMEOUT = 30.0

# A 1x1 PNG.
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
WEATHER = "What's the weather in Paris?"
TOOL_RESULT = "sunny, 21 C"
IMAGE_QUESTION = "What is in this image?"

OPENAI_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "The current weather in a city",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]
ANTHROPIC_TOOLS = [
    {
        "name": "get_weather",
        "description": "The current weather in a city",
        "input_schema": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    }
]


def openai_client():
    import openai

    return openai.OpenAI(base_url=URL + "/v1", api_key=TOKEN, max_retries=0, timeout=TIMEOUT)


def anthropic_client():
    import anthropic

    # The gateway reads `Authorization: Bearer`, which the SDK sends for `auth_token`.
    return anthropic.Anthropic(base_url=URL, auth_token=TOKEN, max_retries=0, timeout=TIMEOUT)


# --- OpenAI Chat Completions ------------------------------------------------------------


def openai_usage(usage):
    return [usage.prompt_tokens, usage.completion_tokens] if usage is not None else None


def openai_create(client, messages, **extra):
    """One non-streamed request: (message, result fields)."""
    completion = client.chat.completions.create(model=MODEL, messages=messages, **extra)
    choice = completion.choices[0]
    return choice.message, {
        "text": choice.message.content,
        "finish": choice.finish_reason,
        "model": completion.model,
        "usage": openai_usage(completion.usage),
    }


def openai_stream(client, messages, **extra):
    """One streamed request, the deltas assembled: (text, tool calls, result fields)."""
    stream = client.chat.completions.create(
        model=MODEL,
        messages=messages,
        stream=True,
        stream_options={"include_usage": True},
        **extra,
    )
    text, calls, finish, usage, model, events = "", {}, None, None, None, 0
    for chunk in stream:
        events += 1
        model = chunk.model or model
        if chunk.usage is not None:
            usage = openai_usage(chunk.usage)
        for choice in chunk.choices:
            delta = choice.delta
            if delta.content:
                text += delta.content
            for call in delta.tool_calls or []:
                slot = calls.setdefault(call.index, {"id": None, "name": "", "arguments": ""})
                if call.id:
                    slot["id"] = call.id
                if call.function is not None:
                    slot["name"] += call.function.name or ""
                    slot["arguments"] += call.function.arguments or ""
            if choice.finish_reason:
                finish = choice.finish_reason
    tool_calls = [calls[i] for i in sorted(calls)]
    return text, tool_calls, {
        "text": text,
        "streamed": text,
        "finish": finish,
        "model": model,
        "usage": usage,
        "events": events,
    }


def openai_chat(stream):
    client = openai_client()
    messages = [{"role": "user", "content": "hello from the openai sdk"}]
    if stream:
        _, _, result = openai_stream(client, messages)
    else:
        _, result = openai_create(client, messages)
    result["usage"] = [result["usage"]]
    return result


def openai_tools(stream):
    client = openai_client()
    messages = [{"role": "user", "content": WEATHER}]
    if stream:
        _, calls, first = openai_stream(client, messages, tools=OPENAI_TOOLS)
    else:
        message, first = openai_create(client, messages, tools=OPENAI_TOOLS)
        calls = [
            {"id": c.id, "name": c.function.name, "arguments": c.function.arguments}
            for c in message.tool_calls or []
        ]
    if not calls:
        raise RuntimeError(f"no tool call in the first answer: {first}")
    call = calls[0]
    messages.append(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call["id"],
                    "type": "function",
                    "function": {"name": call["name"], "arguments": call["arguments"]},
                }
            ],
        }
    )
    messages.append({"role": "tool", "tool_call_id": call["id"], "content": TOOL_RESULT})
    if stream:
        _, _, result = openai_stream(client, messages, tools=OPENAI_TOOLS)
    else:
        _, result = openai_create(client, messages, tools=OPENAI_TOOLS)
    result["tool_call"] = {
        "id": call["id"],
        "name": call["name"],
        "arguments": json.loads(call["arguments"]),
    }
    result["tool_calls"] = len(calls)
    result["tool_finish"] = first["finish"]
    result["usage"] = [first["usage"], result["usage"]]
    return result


def openai_image(stream):
    client = openai_client()
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": IMAGE_QUESTION},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64," + PNG}},
            ],
        }
    ]
    if stream:
        _, _, result = openai_stream(client, messages)
    else:
        _, result = openai_create(client, messages)
    result["usage"] = [result["usage"]]
    return result


def openai_models():
    return {"models": [m.id for m in openai_client().models.list()]}


def sdk_error(call):
    try:
        call()
    except Exception as e:  # noqa: BLE001 - the class is what the test checks
        return {
            "error": {
                "class": type(e).__name__,
                "module": type(e).__module__.split(".")[0],
                "status": getattr(e, "status_code", None),
                "message": str(e),
            }
        }
    return {"error": None}


def openai_error():
    client = openai_client()
    return sdk_error(
        lambda: client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "hello"}]
        )
    )


# --- Anthropic Messages -----------------------------------------------------------------


def anthropic_text(message):
    return "".join(b.text for b in message.content if b.type == "text")


def anthropic_fields(message):
    return {
        "text": anthropic_text(message),
        "finish": message.stop_reason,
        "model": message.model,
        "usage": [message.usage.input_tokens, message.usage.output_tokens],
    }


def anthropic_send(client, stream, messages, **extra):
    """One request: (message, result fields)."""
    params = dict(model=MODEL, max_tokens=256, messages=messages, **extra)
    if not stream:
        message = client.messages.create(**params)
        return message, anthropic_fields(message)
    streamed, events = "", 0
    with client.messages.stream(**params) as s:
        for event in s:
            events += 1
            if event.type == "text":
                streamed += event.text
        message = s.get_final_message()
    result = anthropic_fields(message)
    result["streamed"] = streamed
    result["events"] = events
    return message, result


def anthropic_messages(stream):
    messages = [{"role": "user", "content": "hello from the anthropic sdk"}]
    _, result = anthropic_send(anthropic_client(), stream, messages)
    result["usage"] = [result["usage"]]
    return result


def anthropic_tools(stream):
    client = anthropic_client()
    messages = [{"role": "user", "content": WEATHER}]
    message, first = anthropic_send(client, stream, messages, tools=ANTHROPIC_TOOLS)
    uses = [b for b in message.content if b.type == "tool_use"]
    if not uses:
        raise RuntimeError(f"no tool_use in the first answer: {first}")
    use = uses[0]
    messages.append({"role": "assistant", "content": message.content})
    messages.append(
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": use.id, "content": TOOL_RESULT}],
        }
    )
    _, result = anthropic_send(client, stream, messages, tools=ANTHROPIC_TOOLS)
    result["tool_call"] = {"id": use.id, "name": use.name, "arguments": use.input}
    result["tool_calls"] = len(uses)
    result["tool_finish"] = first["finish"]
    result["usage"] = [first["usage"], result["usage"]]
    return result


def anthropic_image(stream):
    messages = [
        {
            "role": "user",
            "content": [
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": PNG},
                },
                {"type": "text", "text": IMAGE_QUESTION},
            ],
        }
    ]
    _, result = anthropic_send(anthropic_client(), stream, messages)
    result["usage"] = [result["usage"]]
    return result


def anthropic_error():
    client = anthropic_client()
    return sdk_error(
        lambda: client.messages.create(
            model=MODEL, max_tokens=16, messages=[{"role": "user", "content": "hello"}]
        )
    )


SCENARIOS = {
    "openai-chat": lambda: openai_chat(False),
    "openai-chat-stream": lambda: openai_chat(True),
    "openai-tools": lambda: openai_tools(False),
    "openai-tools-stream": lambda: openai_tools(True),
    "openai-image": lambda: openai_image(False),
    "openai-image-stream": lambda: openai_image(True),
    "openai-models": openai_models,
    "openai-error": openai_error,
    "anthropic-messages": lambda: anthropic_messages(False),
    "anthropic-messages-stream": lambda: anthropic_messages(True),
    "anthropic-tools": lambda: anthropic_tools(False),
    "anthropic-tools-stream": lambda: anthropic_tools(True),
    "anthropic-image": lambda: anthropic_image(False),
    "anthropic-image-stream": lambda: anthropic_image(True),
    "anthropic-error": anthropic_error,
}


def run(name):
    try:
        return SCENARIOS[name]()
    except Exception as e:  # noqa: BLE001 - reported to the test, which fails on it
        return {"exception": type(e).__name__, "message": str(e)}


def main(argv):
    names = argv[1:]
    unknown = [n for n in names if n not in SCENARIOS]
    if not names or unknown:
        sys.exit(f"usage: {argv[0]} SCENARIO [SCENARIO ...]; scenarios: {', '.join(SCENARIOS)}")
    if len(names) == 1:
        out = run(names[0])
    else:
        out = {name: run(name) for name in names}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv)

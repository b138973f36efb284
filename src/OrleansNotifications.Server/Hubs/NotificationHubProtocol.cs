using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace OrleansNotifications.Server.Hubs;

/// <summary>
/// SignalR's JSON protocol with the two adjustments API.md asks for:
/// <list type="bullet">
/// <item><c>MarkAllRead(groupName?)</c> may be invoked with no argument. SignalR binds arguments by exact count (no optional
/// parameters, no overloads), so such an invocation is parsed again and given <c>null</c>.</item>
/// <item>A hub error's message starts with its code (<c>not_found: …</c>). SignalR would prefix every
/// <see cref="HubException"/> message with "An unexpected error occurred invoking '…' on the server. HubException: ", so
/// that prefix is taken off again on the way out. An invocation SignalR cannot bind (no such method, arguments of the wrong
/// number or types) answers <c>not_found: …</c> or <c>invalid_argument: …</c>. Other exceptions keep SignalR's generic
/// message.</item>
/// </list>
/// </summary>
internal sealed class NotificationHubProtocol(IHubProtocol json) : IHubProtocol
{
    private const string HubExceptionMarker = " HubException: ";
    private const string BindingFailure = "Failed to invoke '";
    private const string BindingFailureEnd = "' due to an error on the server.";

    public string Name => json.Name;

    public int Version => json.Version;

    public TransferFormat TransferFormat => json.TransferFormat;

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        var original = input;
        if (!json.TryParseMessage(ref input, binder, out message))
        {
            return false;
        }

        if (message is InvocationBindingFailureMessage { Target: nameof(NotificationHub.MarkAllRead) }
            && json.TryParseMessage(ref original, new NoArguments(binder), out var bare)
            && bare is InvocationMessage { Arguments.Length: 0 } invocation)
        {
            message = new InvocationMessage(invocation.InvocationId, invocation.Target, [null]);
        }

        return true;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => json.WriteMessage(WithPlainError(message), output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => json.GetMessageBytes(WithPlainError(message));

    private static HubMessage WithPlainError(HubMessage message) =>
        message is CompletionMessage { Error: { } error } completion && PlainError(error) is { } plain
            ? CompletionMessage.WithError(completion.InvocationId!, plain)
            : message;

    private static string? PlainError(string error)
    {
        if (error.StartsWith("An unexpected error occurred invoking", StringComparison.Ordinal)
            && error.IndexOf(HubExceptionMarker, StringComparison.Ordinal) is var at and >= 0)
        {
            return error[(at + HubExceptionMarker.Length)..];
        }

        // SignalR could not bind the invocation: no such method, or arguments of the wrong number or types.
        if (error.StartsWith(BindingFailure, StringComparison.Ordinal) && error.IndexOf(BindingFailureEnd, BindingFailure.Length, StringComparison.Ordinal) is var end and > 0)
        {
            var method = error[BindingFailure.Length..end];
            return error.Contains("Method does not exist", StringComparison.Ordinal)
                ? $"not_found: the hub has no method '{method}'."
                : $"invalid_argument: the arguments do not match the parameters of '{method}'.";
        }

        return null;
    }

    public bool IsVersionSupported(int version) => json.IsVersionSupported(version);

    private sealed class NoArguments(IInvocationBinder binder) : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => [];

        public Type GetReturnType(string invocationId) => binder.GetReturnType(invocationId);

        public Type GetStreamItemType(string streamId) => binder.GetStreamItemType(streamId);
    }
}

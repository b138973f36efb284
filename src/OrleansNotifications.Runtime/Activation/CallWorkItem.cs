using System.Reflection;
using System.Runtime.ExceptionServices;

namespace OrleansNotifications.Runtime.Activation;

/// <summary>A grain method call. <typeparamref name="T"/> is the method's result type (<c>object</c> for plain Task methods).</summary>
internal sealed class CallWorkItem<T>(MethodInfo method, object?[] arguments, GrainCatalog catalog) : WorkItem
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<T> Completion => _completion.Task;

    public override async Task ExecuteAsync(Grain grain)
    {
        try
        {
            var returned = InvokeUnwrapped(grain);
            if (returned is Task<T> typed)
            {
                _completion.TrySetResult(await typed);
            }
            else
            {
                await ((Task)returned!);
                _completion.TrySetResult(default!);
            }
        }
        catch (Exception exception)
        {
            _completion.TrySetException(exception);
            if (exception is InconsistentStateException)
            {
                // The activation's view of its state is stale: drop it so the next call reads the truth.
                catalog.RequestDeactivation(grain.GrainId);
            }
        }
    }

    private object? InvokeUnwrapped(Grain grain)
    {
        try
        {
            return method.Invoke(grain, arguments);
        }
        catch (TargetInvocationException wrapped) when (wrapped.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(wrapped.InnerException);
            throw;
        }
    }

    public override void Abandon(GrainActivation from, Exception? reason)
    {
        if (reason is not null)
        {
            _completion.TrySetException(reason);
            return;
        }

        // The activation is going away; the call goes to whichever activation serves the grain next.
        catalog.Dispatch(from.Id, this);
    }
}

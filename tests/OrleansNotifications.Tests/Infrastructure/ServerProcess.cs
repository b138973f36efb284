using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OrleansNotifications.Tests.Infrastructure;

/// <summary>The real server as a separate OS process (for crash tests): started with <c>dotnet Server.dll</c>, killed with SIGKILL.</summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();

    private ServerProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        _process.OutputDataReceived += (_, e) => Remember(e.Data);
        _process.ErrorDataReceived += (_, e) => Remember(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string BaseUrl { get; }

    public string RecentOutput
    {
        get
        {
            lock (_lastLines)
            {
                return string.Join('\n', _lastLines);
            }
        }
    }

    public static ServerProcess Start(string dataDirectory, int port, params string[] settings)
    {
        var baseUrl = $"http://127.0.0.1:{port}";
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = dataDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ServerAssembly());
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(baseUrl);
        info.ArgumentList.Add($"--Notifications:DataDirectory={dataDirectory}");
        foreach (var setting in settings)
        {
            info.ArgumentList.Add(setting);
        }

        return new ServerProcess(Process.Start(info)!, baseUrl);
    }

    public async Task WaitReadyAsync(TimeSpan? timeout = null)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(_process.HasExited, $"The server exited early:\n{RecentOutput}");
            try
            {
                if ((await client.GetAsync($"{BaseUrl}/health/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        Assert.Fail($"The server did not become ready:\n{RecentOutput}");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing — what a power cut or OOM kill looks like to the process.</summary>
    public void KillHard()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }

        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The server built alongside this test assembly (same configuration).</summary>
    private static string ServerAssembly()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (!File.Exists(Path.Combine(root.FullName, "OrleansNotifications.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("Repository root not found.");
        }

        var path = Path.Combine(root.FullName, "src", "OrleansNotifications.Server", "bin", configuration, testBin.Name, "OrleansNotifications.Server.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the server first.", path);
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 50)
            {
                _lastLines.Dequeue();
            }
        }
    }
}

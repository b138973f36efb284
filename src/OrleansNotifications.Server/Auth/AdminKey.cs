using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace OrleansNotifications.Server.Auth;

/// <summary>The operator's bearer key: configured, or generated once into the data directory and read from there afterwards.</summary>
public sealed partial class AdminKey
{
    public const string FileName = "admin-key";

    private readonly byte[] _hash;

    private AdminKey(string value) => _hash = SHA256.HashData(Encoding.UTF8.GetBytes(value));

    public static AdminKey Load(NotificationsOptions options, ILogger<AdminKey> logger)
    {
        if (!string.IsNullOrWhiteSpace(options.AdminKey))
        {
            return new AdminKey(options.AdminKey);
        }

        var path = Path.GetFullPath(Path.Combine(options.DataDirectory, FileName));
        if (File.Exists(path))
        {
            var stored = File.ReadAllText(path).Trim();
            if (stored.Length == 0)
            {
                // Never run with an empty key: an interrupted first start must be noticed, not silently accepted.
                throw new InvalidOperationException($"The admin key file {path} is empty; delete it to generate a new key, or configure Notifications:AdminKey.");
            }

            LogKeyFile(logger, path);
            return new AdminKey(stored);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var generated = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        // Created 0600 from the first byte, so there is no moment at which another user could read it.
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new StreamWriter(path, create))
        {
            file.WriteLine(generated);
        }

        LogKeyGenerated(logger, path);
        return new AdminKey(generated);
    }

    /// <summary>Constant-time comparison, on hashes so the key's length does not leak either.</summary>
    public bool Matches(string candidate) =>
        candidate.Length > 0 && CryptographicOperations.FixedTimeEquals(_hash, SHA256.HashData(Encoding.UTF8.GetBytes(candidate)));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generated an admin key into {Path}; use it as the bearer token for the operator routes (/v1/admin/*)")]
    private static partial void LogKeyGenerated(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin key read from {Path}")]
    private static partial void LogKeyFile(ILogger logger, string path);
}

# syntax=docker/dockerfile:1
# One image, two processes (see docs/operations.md, "Container image"):
#   silo (default):  dotnet /app/silo/OrleansAgents.Silo.dll           (workdir /app/silo)
#   migration:       dotnet /app/silo/OrleansAgents.Silo.dll migrate
#   API:             dotnet /app/api/OrleansAgents.Api.dll              (workdir /app/api)
# Build: docker build --build-arg VERSION=1.2.3 -t REGISTRY/orleans-agents:1.2.3 .
# `--target api` gives the same image with the API as its entry point.
ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
WORKDIR /src
# Restore first, from the project files only, so source edits do not invalidate the package layer.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY Grains.Interfaces/Grains.Interfaces.csproj Grains.Interfaces/
COPY Grains/Grains.csproj Grains/
COPY Hosting.Defaults/Hosting.Defaults.csproj Hosting.Defaults/
COPY Silo/Silo.csproj Silo/
COPY Client.Api/Client.Api.csproj Client.Api/
RUN dotnet restore Silo/Silo.csproj && dotnet restore Client.Api/Client.Api.csproj
COPY . .
ARG VERSION=0.0.0-dev
# The same script scripts/test.sh exercises (scripts/check-ops.sh), so a broken publish fails the tests.
RUN bash scripts/publish.sh /out "${VERSION}"

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS silo
ARG VERSION=0.0.0-dev
LABEL org.opencontainers.image.title="orleans-agents" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/orleans-agents/orleans-agents"
# The aspnet image ships the non-root user "app" (uid 1654); numeric so runAsNonRoot can verify it.
USER 1654:1654
COPY --from=build --chown=1654:1654 /out/silo /app/silo
COPY --from=build --chown=1654:1654 /out/api /app/api
ENV DOTNET_RUNNING_IN_CONTAINER=true \
    DOTNET_gcServer=1 \
    Urls=http://0.0.0.0:8081
# 8081 silo management (health, /metrics, /dashboard), 11111 silo-to-silo, 30000 gateway; 8080 the API, 8091 its management port (/metrics, /dashboard).
EXPOSE 8080 8081 8091 11111 30000
# No HEALTHCHECK: Kubernetes probes /health/live and /health/ready.
WORKDIR /app/silo
ENTRYPOINT ["dotnet", "/app/silo/OrleansAgents.Silo.dll"]

FROM silo AS api
# The API's appsettings listen on 127.0.0.1 for laptops; in a container it must be 0.0.0.0.
ENV Urls=http://0.0.0.0:8080
WORKDIR /app/api
ENTRYPOINT ["dotnet", "/app/api/OrleansAgents.Api.dll"]

# The default target (no --target) is the silo image, which also runs the API with
# `--entrypoint dotnet ... /app/api/OrleansAgents.Api.dll` and workdir /app/api.
FROM silo AS default

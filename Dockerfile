# First draft (the container deployment issue makes it real and tests it under podman).
# Base images are build arguments so a test can substitute local ones.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime:10.0

FROM ${SDK_IMAGE} AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Crawler.Worker -c Release -o /app

FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=build /app .
ENV Storage__Sqlite__Path=/data/crawler.db
VOLUME /data
USER app
ENTRYPOINT ["/app/crawler"]

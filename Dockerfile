# Builds the gradelog binary into a small image (used by docker-compose.yml).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /gradelog ./cmd/gradelog

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /gradelog /gradelog
EXPOSE 8080
ENTRYPOINT ["/gradelog"]
